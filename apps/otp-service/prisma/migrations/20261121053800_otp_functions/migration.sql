-- Issuing and verifying run as one statement each: a per-destination transaction lock makes
-- limits, replacement and single use exact across any number of service instances.

CREATE FUNCTION otp_issue(
  p_channel text, p_destination text, p_purpose text, p_user_type text,
  p_code_hash bytea, p_ttl_seconds integer, p_max_attempts integer,
  p_require_pending boolean, p_limited boolean, p_client_ip text,
  p_cooldown_seconds integer, p_window_seconds integer, p_window_max integer,
  p_daily_max integer, p_ip_window_seconds integer, p_ip_max integer
) RETURNS TABLE (outcome text, retry_after integer, code_id bigint, send_log_ids bigint[], event_id bigint)
LANGUAGE plpgsql AS $$
DECLARE
  dest_subject text := 'dest:' || p_channel || ':' || p_destination;
  ip_subject text := 'ip:' || p_client_ip;
  last_sent timestamptz;
  in_window integer;
  in_day integer;
  in_ip_window integer;
  free_at timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(dest_subject, 0));

  IF p_require_pending AND NOT EXISTS (
    SELECT 1 FROM otp_codes c
    WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
      AND c.user_type = p_user_type AND c.expires_at > now()
  ) THEN
    RETURN QUERY SELECT 'not_found', 0, NULL::bigint, NULL::bigint[], NULL::bigint;
    RETURN;
  END IF;

  IF p_limited THEN
    SELECT max(l.sent_at),
           count(*) FILTER (WHERE l.sent_at > now() - make_interval(secs => p_window_seconds)),
           count(*)
      INTO last_sent, in_window, in_day
      FROM otp_send_log l
     WHERE l.subject = dest_subject AND l.sent_at > now() - interval '1 day';

    IF last_sent > now() - make_interval(secs => p_cooldown_seconds) THEN
      RETURN QUERY SELECT 'cooldown',
        ceil(extract(epoch FROM last_sent + make_interval(secs => p_cooldown_seconds) - now()))::integer,
        NULL::bigint, NULL::bigint[], NULL::bigint;
      RETURN;
    END IF;

    IF in_window >= p_window_max OR in_day >= p_daily_max THEN
      -- The limit frees up when the oldest send that still counts leaves its window.
      IF in_day >= p_daily_max THEN
        SELECT l.sent_at + interval '1 day' INTO free_at FROM otp_send_log l
         WHERE l.subject = dest_subject AND l.sent_at > now() - interval '1 day'
         ORDER BY l.sent_at DESC OFFSET p_daily_max - 1 LIMIT 1;
      ELSE
        SELECT l.sent_at + make_interval(secs => p_window_seconds) INTO free_at FROM otp_send_log l
         WHERE l.subject = dest_subject AND l.sent_at > now() - make_interval(secs => p_window_seconds)
         ORDER BY l.sent_at DESC OFFSET p_window_max - 1 LIMIT 1;
      END IF;
      RETURN QUERY SELECT 'limit', greatest(1, ceil(extract(epoch FROM free_at - now())))::integer,
        NULL::bigint, NULL::bigint[], NULL::bigint;
      RETURN;
    END IF;

    IF p_client_ip IS NOT NULL THEN
      -- Taken after the destination lock, always in this order, so two sends never deadlock.
      PERFORM pg_advisory_xact_lock(hashtextextended(ip_subject, 0));
      SELECT count(*) INTO in_ip_window FROM otp_send_log l
       WHERE l.subject = ip_subject AND l.sent_at > now() - make_interval(secs => p_ip_window_seconds);
      IF in_ip_window >= p_ip_max THEN
        SELECT l.sent_at + make_interval(secs => p_ip_window_seconds) INTO free_at FROM otp_send_log l
         WHERE l.subject = ip_subject AND l.sent_at > now() - make_interval(secs => p_ip_window_seconds)
         ORDER BY l.sent_at DESC OFFSET p_ip_max - 1 LIMIT 1;
        RETURN QUERY SELECT 'ip_limit', greatest(1, ceil(extract(epoch FROM free_at - now())))::integer,
          NULL::bigint, NULL::bigint[], NULL::bigint;
        RETURN;
      END IF;
    END IF;

    WITH logged AS (
      INSERT INTO otp_send_log (subject)
      SELECT s FROM unnest(ARRAY[dest_subject, CASE WHEN p_client_ip IS NOT NULL THEN ip_subject END]) s
      WHERE s IS NOT NULL
      RETURNING id)
    SELECT array_agg(logged.id) INTO send_log_ids FROM logged;
  END IF;

  INSERT INTO otp_codes AS c (channel, destination, purpose, user_type, code_hash, attempts, max_attempts, expires_at, created_at)
  VALUES (p_channel, p_destination, p_purpose, p_user_type, p_code_hash, 0, p_max_attempts,
          now() + make_interval(secs => p_ttl_seconds), now())
  ON CONFLICT (channel, destination, purpose, user_type) DO UPDATE
    SET code_hash = excluded.code_hash, attempts = 0, max_attempts = excluded.max_attempts,
        expires_at = excluded.expires_at, created_at = excluded.created_at
  RETURNING c.id INTO code_id;

  INSERT INTO otp_events (kind, channel) VALUES ('sent', p_channel) RETURNING id INTO event_id;
  outcome := 'issued';
  retry_after := 0;
  RETURN NEXT;
END
$$;

-- Undoes an issue whose delivery failed: no usable code, and the attempt does not count.
CREATE FUNCTION otp_release(p_code_id bigint, p_code_hash bytea, p_send_log_ids bigint[], p_event_id bigint)
RETURNS void LANGUAGE sql AS $$
  DELETE FROM otp_codes WHERE id = p_code_id AND code_hash = p_code_hash;
  DELETE FROM otp_send_log WHERE id = ANY (p_send_log_ids);
  DELETE FROM otp_events WHERE id = p_event_id;
$$;

CREATE FUNCTION otp_verify(
  p_channel text, p_destination text, p_purpose text, p_user_type text, p_code_hash bytea,
  p_failure_window_seconds integer, p_failure_max integer, p_cooldown_seconds integer
) RETURNS TABLE (outcome text, attempts_left integer, retry_after integer)
LANGUAGE plpgsql AS $$
DECLARE
  dest_subject text := 'dest:' || p_channel || ':' || p_destination;
  recent_failures integer;
  free_at timestamptz;
  code otp_codes%ROWTYPE;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtextextended(dest_subject, 0));

  SELECT count(*) INTO recent_failures FROM otp_verify_failures f
   WHERE f.subject = dest_subject AND f.failed_at > now() - make_interval(secs => p_failure_window_seconds);
  IF recent_failures >= p_failure_max THEN
    SELECT f.failed_at + make_interval(secs => p_failure_window_seconds) INTO free_at FROM otp_verify_failures f
     WHERE f.subject = dest_subject AND f.failed_at > now() - make_interval(secs => p_failure_window_seconds)
     ORDER BY f.failed_at DESC OFFSET p_failure_max - 1 LIMIT 1;
    INSERT INTO otp_events (kind, channel) VALUES ('locked', p_channel);
    RETURN QUERY SELECT 'locked', 0, greatest(1, ceil(extract(epoch FROM free_at - now())))::integer;
    RETURN;
  END IF;

  SELECT * INTO code FROM otp_codes c
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose AND c.user_type = p_user_type
   FOR UPDATE;

  IF NOT FOUND THEN
    RETURN QUERY SELECT 'expired', 0, 0;
    RETURN;
  END IF;

  IF code.expires_at <= now() THEN
    DELETE FROM otp_codes WHERE id = code.id;
    INSERT INTO otp_events (kind, channel) VALUES ('expired', p_channel);
    RETURN QUERY SELECT 'expired', 0, 0;
    RETURN;
  END IF;

  IF code.attempts >= code.max_attempts THEN
    -- The code is dead; a new one can be sent once the resend cooldown from the last send is over.
    INSERT INTO otp_events (kind, channel) VALUES ('locked', p_channel);
    RETURN QUERY SELECT 'locked', 0,
      greatest(1, ceil(extract(epoch FROM code.created_at + make_interval(secs => p_cooldown_seconds) - now())))::integer;
    RETURN;
  END IF;

  IF code.code_hash = p_code_hash THEN
    DELETE FROM otp_codes WHERE id = code.id;
    INSERT INTO otp_events (kind, channel) VALUES ('verified', p_channel);
    RETURN QUERY SELECT 'verified', 0, 0;
    RETURN;
  END IF;

  UPDATE otp_codes SET attempts = attempts + 1 WHERE id = code.id;
  INSERT INTO otp_verify_failures (subject) VALUES (dest_subject);
  INSERT INTO otp_events (kind, channel) VALUES ('failed', p_channel);
  RETURN QUERY SELECT 'invalid', code.max_attempts - code.attempts - 1, 0;
END
$$;
