-- Sending and verifying are one function call each. A transaction lock per destination
-- serializes everything that touches one destination (its few otp_codes rows), so limits,
-- replacement and single use hold whatever the number of service instances, without deadlocks.

-- Room on each page for the new version of a row whose code is spent or guessed at, so those
-- updates stay on the page and touch no index.
ALTER TABLE otp_codes SET (fillfactor = 80);

-- The times of an array that are after `since`, in their order. A loop, not unnest(): these
-- arrays hold a handful of entries, and a loop costs a fraction of a subquery per call.
CREATE FUNCTION otp_times_since(times timestamptz[], since timestamptz) RETURNS timestamptz[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  t timestamptz;
  kept timestamptz[] := '{}';
BEGIN
  FOREACH t IN ARRAY coalesce(times, '{}') LOOP
    IF t > since THEN
      kept := kept || t;
    END IF;
  END LOOP;
  RETURN kept;
END
$$;

-- Seconds until a limit of `max` events per `window_length` frees up, given the events still in
-- the window: when the oldest one that still counts leaves it. Only runs when a limit is hit.
CREATE FUNCTION otp_seconds_until_free(recent timestamptz[], max integer, window_length interval) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT greatest(1, coalesce((
    SELECT ceil(extract(epoch FROM t + window_length - now()))::integer
    FROM unnest(recent) t ORDER BY t DESC OFFSET max - 1 LIMIT 1), 1))
$$;

CREATE FUNCTION otp_lock_destination(p_channel text, p_destination text) RETURNS void
LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtextextended(p_channel || ':' || p_destination, 0))
$$;

CREATE FUNCTION otp_issue(
  p_channel text, p_destination text, p_purpose text, p_user_type text,
  p_code_hash bytea, p_ttl_seconds integer, p_max_attempts integer,
  p_require_pending boolean, p_limited boolean, p_client_ip text,
  p_cooldown_seconds integer, p_window_seconds integer, p_window_max integer,
  p_daily_max integer, p_ip_window_seconds integer, p_ip_max integer
) RETURNS TABLE (outcome text, retry_after integer, issued_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  sends timestamptz[];
  in_window timestamptz[];
  ip_sends timestamptz[];
  ip_window interval := make_interval(secs => p_ip_window_seconds);
BEGIN
  -- An issued code that a database crash loses is simply asked for again, so this transaction
  -- does not wait for its WAL flush. Verification, which must never be undone, does.
  PERFORM set_config('synchronous_commit', 'off', true);
  PERFORM otp_lock_destination(p_channel, p_destination);

  IF p_require_pending AND NOT EXISTS (
    SELECT 1 FROM otp_codes c
    WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
      AND c.user_type = p_user_type AND c.code_hash IS NOT NULL AND c.expires_at > now()
  ) THEN
    RETURN QUERY SELECT 'not_found', 0, NULL::timestamptz;
    RETURN;
  END IF;

  IF p_limited THEN
    SELECT coalesce(array_agg(t ORDER BY t), '{}') INTO sends
      FROM otp_codes c, unnest(c.sent_at) t
     WHERE c.channel = p_channel AND c.destination = p_destination AND t > now() - interval '1 day';

    IF cardinality(sends) > 0 AND sends[cardinality(sends)] > now() - make_interval(secs => p_cooldown_seconds) THEN
      RETURN QUERY SELECT 'cooldown', otp_seconds_until_free(sends, 1, make_interval(secs => p_cooldown_seconds)), NULL::timestamptz;
      RETURN;
    END IF;
    IF cardinality(sends) >= p_daily_max THEN
      RETURN QUERY SELECT 'limit', otp_seconds_until_free(sends, p_daily_max, interval '1 day'), NULL::timestamptz;
      RETURN;
    END IF;
    in_window := otp_times_since(sends, now() - make_interval(secs => p_window_seconds));
    IF cardinality(in_window) >= p_window_max THEN
      RETURN QUERY SELECT 'limit', otp_seconds_until_free(in_window, p_window_max, make_interval(secs => p_window_seconds)), NULL::timestamptz;
      RETURN;
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
        RETURN QUERY SELECT 'ip_limit', otp_seconds_until_free(ip_sends, p_ip_max, ip_window), NULL::timestamptz;
        RETURN;
      END IF;
    END IF;
  END IF;

  INSERT INTO otp_codes AS c (channel, destination, purpose, user_type, code_hash, attempts, max_attempts, expires_at, sent_at)
  VALUES (p_channel, p_destination, p_purpose, p_user_type, p_code_hash, 0, p_max_attempts,
          now() + make_interval(secs => p_ttl_seconds), ARRAY[now()])
  ON CONFLICT (channel, destination, purpose, user_type) DO UPDATE
    SET code_hash = excluded.code_hash, attempts = 0, max_attempts = excluded.max_attempts, expires_at = excluded.expires_at,
        sent_at = otp_times_since(c.sent_at, now() - interval '1 day') || now();

  RETURN QUERY SELECT 'issued', 0, now();
END
$$;

-- Undoes an issue whose delivery failed: no usable code is left, and the send does not count.
CREATE FUNCTION otp_release(
  p_channel text, p_destination text, p_purpose text, p_user_type text,
  p_code_hash bytea, p_client_ip text, p_issued_at timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM otp_lock_destination(p_channel, p_destination);
  UPDATE otp_codes c SET code_hash = NULL, sent_at = array_remove(c.sent_at, p_issued_at)
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
     AND c.user_type = p_user_type AND c.code_hash = p_code_hash;
  UPDATE otp_client_ips c SET sent_at = array_remove(c.sent_at, p_issued_at) WHERE c.ip = p_client_ip;
END
$$;

CREATE FUNCTION otp_verify(
  p_channel text, p_destination text, p_purpose text, p_user_type text, p_code_hash bytea,
  p_failure_window_seconds integer, p_failure_max integer, p_cooldown_seconds integer
) RETURNS TABLE (outcome text, attempts_left integer, retry_after integer)
LANGUAGE plpgsql AS $$
DECLARE
  failure_window interval := make_interval(secs => p_failure_window_seconds);
  failures timestamptz[];
  code otp_codes%ROWTYPE;
BEGIN
  PERFORM otp_lock_destination(p_channel, p_destination);

  SELECT coalesce(array_agg(t ORDER BY t), '{}') INTO failures
    FROM otp_codes c, unnest(c.failed_at) t
   WHERE c.channel = p_channel AND c.destination = p_destination AND t > now() - failure_window;
  IF cardinality(failures) >= p_failure_max THEN
    RETURN QUERY SELECT 'locked', 0, otp_seconds_until_free(failures, p_failure_max, failure_window);
    RETURN;
  END IF;

  SELECT * INTO code FROM otp_codes c
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose AND c.user_type = p_user_type;
  IF NOT FOUND OR code.code_hash IS NULL THEN
    RETURN QUERY SELECT 'missing', 0, 0;
    RETURN;
  END IF;

  IF code.expires_at > now() AND code.attempts >= code.max_attempts THEN
    -- Dead: a new code may be sent once the resend cooldown since the last send is over.
    RETURN QUERY SELECT 'locked', 0, otp_seconds_until_free(code.sent_at, 1, make_interval(secs => p_cooldown_seconds));
    RETURN;
  END IF;

  IF code.expires_at <= now() OR code.code_hash = p_code_hash THEN
    -- Either way the code is spent. Only whoever withdraws it counts it (this, or the cleanup).
    UPDATE otp_codes c SET code_hash = NULL
     WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
       AND c.user_type = p_user_type AND c.code_hash IS NOT NULL;
    RETURN QUERY SELECT CASE WHEN NOT FOUND THEN 'missing' WHEN code.expires_at <= now() THEN 'expired' ELSE 'verified' END, 0, 0;
    RETURN;
  END IF;

  UPDATE otp_codes c SET attempts = c.attempts + 1, failed_at = otp_times_since(c.failed_at, now() - failure_window) || now()
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose AND c.user_type = p_user_type;
  RETURN QUERY SELECT 'invalid', code.max_attempts - code.attempts - 1, 0;
END
$$;
