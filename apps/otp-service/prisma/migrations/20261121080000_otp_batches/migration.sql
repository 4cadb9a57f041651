-- Sending and verifying become one statement each for a batch of requests: under load a service
-- instance gathers the requests that arrive together into one call, so the round trip, the
-- transaction and the commit are shared. Transaction locks on each destination (and client
-- address) still serialize everything that touches one destination, so limits, replacement and
-- single use hold whatever the number of service instances. A batch takes all its locks first, in
-- one global order, so two batches never deadlock.

DROP FUNCTION otp_issue(text, text, text, text, bytea, integer, integer, boolean, boolean, text, integer, integer, integer, integer, integer, integer);
DROP FUNCTION otp_verify(text, text, text, text, bytea, integer, integer, integer);
DROP FUNCTION otp_release(text, text, text, text, bytea, text, timestamptz);
DROP FUNCTION otp_lock_destination(text, text);

-- What one send and one verification answer.
CREATE TYPE otp_issue_result AS (outcome text, retry_after integer, issued_at timestamptz);
CREATE TYPE otp_verify_result AS (outcome text, attempts_left integer, retry_after integer);

-- Keys are 'channel:destination' and 'ip:address'. PL/pgSQL rather than SQL: its plan is kept
-- per connection, where a SQL function's would be made again on every call.
CREATE FUNCTION otp_lock(keys text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(k) FROM (
    SELECT DISTINCT hashtextextended(key, 0) AS k FROM unnest(keys) key WHERE key IS NOT NULL ORDER BY k) locks;
END
$$;

-- One send; the caller holds the locks of the destination and the client address.
CREATE FUNCTION otp_issue_one(
  p_channel text, p_destination text, p_purpose text, p_user_type text,
  p_code_hash bytea, p_ttl_seconds integer, p_max_attempts integer,
  p_require_pending boolean, p_limited boolean, p_client_ip text,
  p_cooldown_seconds integer, p_window_seconds integer, p_window_max integer,
  p_daily_max integer, p_ip_window_seconds integer, p_ip_max integer
) RETURNS otp_issue_result LANGUAGE plpgsql AS $$
DECLARE
  sends timestamptz[];
  in_window timestamptz[];
  ip_sends timestamptz[];
  ip_window interval := make_interval(secs => p_ip_window_seconds);
BEGIN
  IF p_require_pending THEN
    PERFORM FROM otp_codes c
    WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
      AND c.user_type = p_user_type AND c.code_hash IS NOT NULL AND c.expires_at > now();
    IF NOT FOUND THEN
      RETURN ('not_found', 0, NULL)::otp_issue_result;
    END IF;
  END IF;

  IF p_limited THEN
    SELECT coalesce(array_agg(t ORDER BY t), '{}') INTO sends
      FROM otp_codes c, unnest(c.sent_at) t
     WHERE c.channel = p_channel AND c.destination = p_destination AND t > now() - interval '1 day';

    IF cardinality(sends) > 0 AND sends[cardinality(sends)] > now() - make_interval(secs => p_cooldown_seconds) THEN
      RETURN ('cooldown', otp_seconds_until_free(sends, 1, make_interval(secs => p_cooldown_seconds)), NULL)::otp_issue_result;
    END IF;
    IF cardinality(sends) >= p_daily_max THEN
      RETURN ('limit', otp_seconds_until_free(sends, p_daily_max, interval '1 day'), NULL)::otp_issue_result;
    END IF;
    in_window := otp_times_since(sends, now() - make_interval(secs => p_window_seconds));
    IF cardinality(in_window) >= p_window_max THEN
      RETURN ('limit', otp_seconds_until_free(in_window, p_window_max, make_interval(secs => p_window_seconds)), NULL)::otp_issue_result;
    END IF;

    IF p_client_ip IS NOT NULL THEN
      -- The row lock of the upsert makes the per-address count exact across destinations.
      INSERT INTO otp_client_ips AS c (ip, sent_at, updated_at) VALUES (p_client_ip, ARRAY[now()], now())
      ON CONFLICT (ip) DO UPDATE
        SET sent_at = otp_times_since(c.sent_at, now() - ip_window) || now(), updated_at = now()
        WHERE cardinality(otp_times_since(c.sent_at, now() - ip_window)) < p_ip_max
      RETURNING c.sent_at INTO ip_sends;
      IF NOT FOUND THEN
        SELECT otp_times_since(c.sent_at, now() - ip_window) INTO ip_sends FROM otp_client_ips c WHERE c.ip = p_client_ip;
        RETURN ('ip_limit', otp_seconds_until_free(ip_sends, p_ip_max, ip_window), NULL)::otp_issue_result;
      END IF;
    END IF;
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

-- Undoes an issue whose delivery failed: no usable code is left, and the send does not count.
CREATE FUNCTION otp_release(
  p_channel text, p_destination text, p_purpose text, p_user_type text,
  p_code_hash bytea, p_client_ip text, p_issued_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM otp_lock(ARRAY[p_channel || ':' || p_destination, 'ip:' || p_client_ip]);
  UPDATE otp_codes c SET code_hash = NULL, sent_at = array_remove(c.sent_at, p_issued_at)
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
     AND c.user_type = p_user_type AND c.code_hash = p_code_hash;
  UPDATE otp_client_ips c SET sent_at = array_remove(c.sent_at, p_issued_at) WHERE c.ip = p_client_ip;
END
$$;

-- One verification; the caller holds the destination's lock.
CREATE FUNCTION otp_verify_one(
  p_channel text, p_destination text, p_purpose text, p_user_type text, p_code_hash bytea,
  p_failure_window_seconds integer, p_failure_max integer, p_cooldown_seconds integer
) RETURNS otp_verify_result LANGUAGE plpgsql AS $$
DECLARE
  failure_window interval := make_interval(secs => p_failure_window_seconds);
  failures timestamptz[];
  code otp_codes%ROWTYPE;
BEGIN
  -- The common case in one statement: the right code, live, with attempts and the destination's
  -- failure allowance left. Anything else goes the whole way below.
  UPDATE otp_codes c SET code_hash = NULL
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
     AND c.user_type = p_user_type AND c.code_hash = p_code_hash AND c.expires_at > now()
     AND c.attempts < c.max_attempts
     AND (SELECT count(*) FROM otp_codes f, unnest(f.failed_at) t
           WHERE f.channel = p_channel AND f.destination = p_destination AND t > now() - failure_window) < p_failure_max;
  IF FOUND THEN
    RETURN ('verified', 0, 0)::otp_verify_result;
  END IF;

  SELECT coalesce(array_agg(t ORDER BY t), '{}') INTO failures
    FROM otp_codes c, unnest(c.failed_at) t
   WHERE c.channel = p_channel AND c.destination = p_destination AND t > now() - failure_window;
  IF cardinality(failures) >= p_failure_max THEN
    RETURN ('locked', 0, otp_seconds_until_free(failures, p_failure_max, failure_window))::otp_verify_result;
  END IF;

  SELECT * INTO code FROM otp_codes c
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose AND c.user_type = p_user_type;
  IF NOT FOUND OR code.code_hash IS NULL THEN
    RETURN ('missing', 0, 0)::otp_verify_result;
  END IF;

  IF code.expires_at > now() AND code.attempts >= code.max_attempts THEN
    -- Dead: a new code may be sent once the resend cooldown since the last send is over.
    RETURN ('locked', 0, otp_seconds_until_free(code.sent_at, 1, make_interval(secs => p_cooldown_seconds)))::otp_verify_result;
  END IF;

  IF code.expires_at <= now() OR code.code_hash = p_code_hash THEN
    -- Either way the code is spent. Only whoever withdraws it counts it (this, or the cleanup).
    UPDATE otp_codes c SET code_hash = NULL
     WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
       AND c.user_type = p_user_type AND c.code_hash IS NOT NULL;
    RETURN (CASE WHEN NOT FOUND THEN 'missing' WHEN code.expires_at <= now() THEN 'expired' ELSE 'verified' END, 0, 0)::otp_verify_result;
  END IF;

  UPDATE otp_codes c SET attempts = c.attempts + 1, failed_at = otp_times_since(c.failed_at, now() - failure_window) || now()
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose AND c.user_type = p_user_type;
  RETURN ('invalid', code.max_attempts - code.attempts - 1, 0)::otp_verify_result;
END
$$;

-- The batch forms: one row per request, in the order of the arrays. A loop rather than a join: each
-- request is one plain function call.
CREATE FUNCTION otp_issue(
  p_channel text[], p_destination text[], p_purpose text[], p_user_type text[],
  p_code_hash bytea[], p_require_pending boolean[], p_limited boolean[], p_client_ip text[],
  p_ttl_seconds integer, p_max_attempts integer,
  p_cooldown_seconds integer, p_window_seconds integer, p_window_max integer,
  p_daily_max integer, p_ip_window_seconds integer, p_ip_max integer
) RETURNS SETOF otp_issue_result
LANGUAGE plpgsql AS $$
BEGIN
  -- An issued code that a database crash loses is simply asked for again, so this transaction
  -- does not wait for its WAL flush. Verification, which must never be undone, does.
  PERFORM set_config('synchronous_commit', 'off', true);
  PERFORM otp_lock(array_cat(
    ARRAY(SELECT c || ':' || d FROM unnest(p_channel, p_destination) AS r(c, d)),
    ARRAY(SELECT 'ip:' || ip FROM unnest(p_client_ip) ip)));
  FOR i IN 1 .. cardinality(p_channel) LOOP
    RETURN NEXT otp_issue_one(p_channel[i], p_destination[i], p_purpose[i], p_user_type[i],
      p_code_hash[i], p_ttl_seconds, p_max_attempts, p_require_pending[i], p_limited[i], p_client_ip[i],
      p_cooldown_seconds, p_window_seconds, p_window_max, p_daily_max, p_ip_window_seconds, p_ip_max);
  END LOOP;
END
$$;

CREATE FUNCTION otp_verify(
  p_channel text[], p_destination text[], p_purpose text[], p_user_type text[], p_code_hash bytea[],
  p_failure_window_seconds integer, p_failure_max integer, p_cooldown_seconds integer
) RETURNS SETOF otp_verify_result
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM otp_lock(ARRAY(SELECT c || ':' || d FROM unnest(p_channel, p_destination) AS r(c, d)));
  FOR i IN 1 .. cardinality(p_channel) LOOP
    RETURN NEXT otp_verify_one(p_channel[i], p_destination[i], p_purpose[i],
      p_user_type[i], p_code_hash[i], p_failure_window_seconds, p_failure_max, p_cooldown_seconds);
  END LOOP;
END
$$;
