-- Issuing waits for its commit to reach the disk, as verifying does: a code answered as sent (and
-- delivered) survives a database crash. otp_issue below is src/otp/functions.sql as of this
-- migration; its signature is unchanged, so it is replaced in place.

CREATE OR REPLACE FUNCTION otp_issue(
  p_channel text[], p_destination text[], p_purpose text[], p_user_type text[], p_code_hash bytea[],
  p_require_pending boolean[], p_limited boolean[], p_client_ip text[], p_calling_code text[], p_country_budget integer[],
  p_ttl_seconds integer, p_max_attempts integer, p_cooldown_seconds integer,
  p_window_seconds integer, p_window_max integer, p_daily_max integer,
  p_ip_window_seconds integer, p_ip_max integer
) RETURNS SETOF otp_issue_result
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM otp_lock(
    ARRAY(SELECT c || ':' || d FROM unnest(p_channel, p_destination) AS r(c, d))
    || ARRAY(SELECT 'ip:' || ip FROM unnest(p_client_ip) ip)
    || ARRAY(SELECT 'country:' || cc FROM unnest(p_calling_code, p_country_budget) AS r(cc, budget) WHERE budget IS NOT NULL));
  FOR i IN 1 .. cardinality(p_channel) LOOP
    RETURN NEXT otp_issue_one(
      p_channel => p_channel[i], p_destination => p_destination[i], p_purpose => p_purpose[i],
      p_user_type => p_user_type[i], p_code_hash => p_code_hash[i], p_require_pending => p_require_pending[i],
      p_limited => p_limited[i], p_client_ip => p_client_ip[i], p_calling_code => p_calling_code[i],
      p_country_budget => p_country_budget[i], p_ttl_seconds => p_ttl_seconds, p_max_attempts => p_max_attempts,
      p_cooldown_seconds => p_cooldown_seconds, p_window_seconds => p_window_seconds, p_window_max => p_window_max,
      p_daily_max => p_daily_max, p_ip_window_seconds => p_ip_window_seconds, p_ip_max => p_ip_max);
  END LOOP;
END
$$;
