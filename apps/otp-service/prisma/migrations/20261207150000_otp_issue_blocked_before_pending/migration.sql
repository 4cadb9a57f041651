-- A resend to a blocked destination is told it is blocked even when nothing is pending there, as a
-- send is. otp_issue_one below is src/otp/functions.sql as of this migration.

-- One send; the caller holds the locks of the destination, the client address and the country.
-- Checks first, in this order: a block on the destination (before all else: a blocked destination
-- is told so, not told to wait nor that nothing is pending), a code pending (resend), the
-- destination's cooldown and window (not for test destinations, whose fixed code is not
-- delivered), its day (for every destination: a day's codes bound a day's guesses), the client
-- address's window, the country's hourly budget. Only a send that passes them all is recorded anywhere.
CREATE OR REPLACE FUNCTION otp_issue_one(
  p_channel text, p_destination text, p_purpose text, p_user_type text, p_code_hash bytea,
  p_require_pending boolean, p_limited boolean, p_client_ip text, p_calling_code text, p_country_budget integer,
  p_ttl_seconds integer, p_max_attempts integer, p_cooldown_seconds integer,
  p_window_seconds integer, p_window_max integer, p_daily_max integer,
  p_ip_window_seconds integer, p_ip_max integer
) RETURNS otp_issue_result LANGUAGE plpgsql AS $$
DECLARE
  sends timestamptz[];
  in_window timestamptz[];
  ip_sends timestamptz[];
  ip_window interval := make_interval(secs => p_ip_window_seconds);
  this_hour timestamptz := date_trunc('hour', now());
  country_sends integer;
BEGIN
  PERFORM FROM otp_blocked_destinations b WHERE b.channel = p_channel AND b.destination = p_destination;
  IF FOUND THEN
    RETURN ('blocked', 0, NULL)::otp_issue_result;
  END IF;

  IF p_require_pending THEN
    PERFORM FROM otp_codes c
    WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
      AND c.user_type = p_user_type AND c.code_hash IS NOT NULL AND c.expires_at > now();
    IF NOT FOUND THEN
      RETURN ('not_found', 0, NULL)::otp_issue_result;
    END IF;
  END IF;

  SELECT coalesce(array_agg(t ORDER BY t), '{}') INTO sends
    FROM otp_codes c, unnest(c.sent_at) t
   WHERE c.channel = p_channel AND c.destination = p_destination AND t > now() - interval '1 day';

  IF p_limited AND cardinality(sends) > 0 AND sends[cardinality(sends)] > now() - make_interval(secs => p_cooldown_seconds) THEN
    RETURN ('cooldown', otp_seconds_until_free(sends, 1, make_interval(secs => p_cooldown_seconds)), NULL)::otp_issue_result;
  END IF;
  IF cardinality(sends) >= p_daily_max THEN
    RETURN ('limit', otp_seconds_until_free(sends, p_daily_max, interval '1 day'), NULL)::otp_issue_result;
  END IF;
  IF p_limited THEN
    in_window := otp_times_since(sends, now() - make_interval(secs => p_window_seconds));
    IF cardinality(in_window) >= p_window_max THEN
      RETURN ('limit', otp_seconds_until_free(in_window, p_window_max, make_interval(secs => p_window_seconds)), NULL)::otp_issue_result;
    END IF;
  END IF;

  IF p_client_ip IS NOT NULL THEN
    SELECT otp_times_since(c.sent_at, now() - ip_window) INTO ip_sends FROM otp_client_ips c WHERE c.ip = p_client_ip;
    IF cardinality(ip_sends) >= p_ip_max THEN
      RETURN ('ip_limit', otp_seconds_until_free(ip_sends, p_ip_max, ip_window), NULL)::otp_issue_result;
    END IF;
  END IF;

  IF p_country_budget IS NOT NULL THEN
    SELECT s.count INTO country_sends FROM otp_country_sends s WHERE s.calling_code = p_calling_code AND s.hour_start = this_hour;
    IF coalesce(country_sends, 0) >= p_country_budget THEN
      RETURN ('country_limit', greatest(1, ceil(extract(epoch FROM this_hour + interval '1 hour' - now())))::integer, NULL)::otp_issue_result;
    END IF;
    INSERT INTO otp_country_sends AS s (calling_code, hour_start, count) VALUES (p_calling_code, this_hour, 1)
    ON CONFLICT (calling_code, hour_start) DO UPDATE SET count = s.count + 1;
  END IF;

  IF p_client_ip IS NOT NULL THEN
    INSERT INTO otp_client_ips AS c (ip, sent_at, updated_at) VALUES (p_client_ip, ARRAY[now()], now())
    ON CONFLICT (ip) DO UPDATE SET sent_at = otp_times_since(c.sent_at, now() - ip_window) || now(), updated_at = now();
  END IF;

  INSERT INTO otp_codes AS c (channel, destination, purpose, user_type, code_hash, attempts, max_attempts, expires_at, sent_at)
  VALUES (p_channel, p_destination, p_purpose, p_user_type, p_code_hash, 0, p_max_attempts,
          now() + make_interval(secs => p_ttl_seconds), ARRAY[now()])
  ON CONFLICT (channel, destination, purpose, user_type) DO UPDATE
    SET code_hash = excluded.code_hash, attempts = 0, max_attempts = excluded.max_attempts, expires_at = excluded.expires_at,
        sent_at = otp_times_since(c.sent_at, now() - interval '1 day') || now();

  RETURN ('issued', 0, now())::otp_issue_result;
END
$$;
