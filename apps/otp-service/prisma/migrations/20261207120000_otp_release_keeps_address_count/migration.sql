-- A send whose delivery the provider refused no longer leaves the client address's count (one
-- address cannot send without end to destinations a provider refuses), so otp_release no longer
-- takes the address. otp_release below is src/otp/functions.sql as of this migration.
--
-- The instances still running while new ones roll out call the previous signature, with the
-- address: it stays, as a call of the new function, until a later migration drops it.

CREATE OR REPLACE FUNCTION otp_release(
  p_channel text, p_destination text, p_purpose text, p_user_type text, p_code_hash bytea,
  p_client_ip text, p_calling_code text, p_country_counted boolean, p_issued_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM otp_release(p_channel => p_channel, p_destination => p_destination, p_purpose => p_purpose,
                      p_user_type => p_user_type, p_code_hash => p_code_hash, p_calling_code => p_calling_code,
                      p_country_counted => p_country_counted, p_issued_at => p_issued_at);
END
$$;

-- Undoes a send whose delivery the provider refused: its code is withdrawn, and exactly that one
-- send leaves the destination's and the country's counts, so its owner may ask again at once. The
-- client address's count keeps it: one address cannot send without end to destinations a provider
-- refuses, each a call to the provider.
CREATE OR REPLACE FUNCTION otp_release(
  p_channel text, p_destination text, p_purpose text, p_user_type text, p_code_hash bytea,
  p_calling_code text, p_country_counted boolean, p_issued_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM otp_lock(ARRAY[p_channel || ':' || p_destination, CASE WHEN p_country_counted THEN 'country:' || p_calling_code END]);
  UPDATE otp_codes c
     SET code_hash = CASE WHEN c.code_hash = p_code_hash THEN NULL ELSE c.code_hash END,
         sent_at = otp_without_one(c.sent_at, p_issued_at)
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose AND c.user_type = p_user_type;
  IF p_country_counted THEN
    UPDATE otp_country_sends s SET count = s.count - 1
     WHERE s.calling_code = p_calling_code AND s.hour_start = date_trunc('hour', p_issued_at) AND s.count > 0;
  END IF;
END
$$;
