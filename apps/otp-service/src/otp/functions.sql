-- otp-service's rules as the database runs them: the current definition of every function, in one
-- place. Migrations are the history and are made from this file: a change here goes into a new
-- migration (after DROP FUNCTION for any signature it changes), and test/functions.test.ts fails
-- while the migrated database and this file disagree.
--
-- Sending and verifying are one statement each for a batch of requests. Transaction-level advisory
-- locks on each destination, client address and budgeted country serialize everything that touches
-- them, so limits, replacement and single use hold whatever the number of service instances; a
-- batch takes all its locks first, in one global order, so two batches never deadlock.
--
-- Result types, made by the migrations (a type cannot be replaced in place):
--   otp_issue_result  (outcome text, retry_after integer, issued_at timestamptz)
--   otp_verify_result (outcome text, attempts_left integer, retry_after integer)

-- The times of an array that are after `since`, in their order. A loop, not unnest(): these
-- arrays hold a handful of entries, and a loop costs a fraction of a subquery per call.
CREATE OR REPLACE FUNCTION otp_times_since(times timestamptz[], since timestamptz) RETURNS timestamptz[]
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

-- The array without one occurrence of `t`: the requests of a batch share one now(), so removing
-- every occurrence would also erase the sends of the batch's other requests.
CREATE OR REPLACE FUNCTION otp_without_one(times timestamptz[], t timestamptz) RETURNS timestamptz[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN p IS NULL THEN times ELSE times[:p - 1] || times[p + 1:] END FROM array_position(times, t) p
$$;

-- Seconds until a limit of `max` events per `window_length` frees up, given the events still in
-- the window: when the oldest one that still counts leaves it. Only runs when a limit is hit.
CREATE OR REPLACE FUNCTION otp_seconds_until_free(recent timestamptz[], max integer, window_length interval) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT greatest(1, coalesce((
    SELECT ceil(extract(epoch FROM t + window_length - now()))::integer
    FROM unnest(recent) t ORDER BY t DESC OFFSET max - 1 LIMIT 1), 1))
$$;

-- Keys are 'channel:destination', 'ip:address' and 'country:calling code'. PL/pgSQL rather than
-- SQL: its plan is kept per connection, where a SQL function's would be made again on every call.
CREATE OR REPLACE FUNCTION otp_lock(keys text[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(k) FROM (
    SELECT DISTINCT hashtextextended(key, 0) AS k FROM unnest(keys) key WHERE key IS NOT NULL ORDER BY k) locks;
END
$$;

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

-- One verification; the caller holds the locks of the destination and the client address.
-- Wrong guesses are capped per code (max_attempts) and per client address (its failures in the
-- window), never per destination across clients: a stranger's guesses can use up a code's
-- attempts (its owner then asks for a new one) but never lock the destination itself; guesses at
-- one destination stay bounded because codes are (the send limits).
CREATE OR REPLACE FUNCTION otp_verify_one(
  p_channel text, p_destination text, p_purpose text, p_user_type text, p_code_hash bytea, p_client_ip text,
  p_cooldown_seconds integer, p_ip_failure_window_seconds integer, p_ip_failure_max integer
) RETURNS otp_verify_result LANGUAGE plpgsql AS $$
DECLARE
  failure_window interval := make_interval(secs => p_ip_failure_window_seconds);
  client_failures timestamptz[];
  code otp_codes%ROWTYPE;
BEGIN
  IF p_client_ip IS NOT NULL THEN
    SELECT otp_times_since(c.failed_at, now() - failure_window) INTO client_failures FROM otp_client_ips c WHERE c.ip = p_client_ip;
    IF cardinality(client_failures) >= p_ip_failure_max THEN
      RETURN ('client_locked', 0, otp_seconds_until_free(client_failures, p_ip_failure_max, failure_window))::otp_verify_result;
    END IF;
  END IF;

  -- The common case in one statement: the right code, live, with attempts left.
  UPDATE otp_codes c SET code_hash = NULL
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
     AND c.user_type = p_user_type AND c.code_hash = p_code_hash AND c.expires_at > now() AND c.attempts < c.max_attempts;
  IF FOUND THEN
    RETURN ('verified', 0, 0)::otp_verify_result;
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

  IF code.expires_at <= now() THEN
    -- Spent either way. Only whoever withdraws it counts it (this, or the cleanup).
    UPDATE otp_codes c SET code_hash = NULL
     WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose
       AND c.user_type = p_user_type AND c.code_hash IS NOT NULL;
    RETURN ('expired', 0, 0)::otp_verify_result;
  END IF;

  UPDATE otp_codes c SET attempts = c.attempts + 1
   WHERE c.channel = p_channel AND c.destination = p_destination AND c.purpose = p_purpose AND c.user_type = p_user_type;
  IF p_client_ip IS NOT NULL THEN
    INSERT INTO otp_client_ips AS c (ip, failed_at, updated_at) VALUES (p_client_ip, ARRAY[now()], now())
    ON CONFLICT (ip) DO UPDATE SET failed_at = otp_times_since(c.failed_at, now() - failure_window) || now(), updated_at = now();
  END IF;
  RETURN ('invalid', code.max_attempts - code.attempts - 1, 0)::otp_verify_result;
END
$$;

-- The batch forms: one row per request, in the order of the arrays. A loop rather than a join: each
-- request is one plain function call.
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

CREATE OR REPLACE FUNCTION otp_verify(
  p_channel text[], p_destination text[], p_purpose text[], p_user_type text[], p_code_hash bytea[], p_client_ip text[],
  p_cooldown_seconds integer, p_ip_failure_window_seconds integer, p_ip_failure_max integer
) RETURNS SETOF otp_verify_result
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM otp_lock(
    ARRAY(SELECT c || ':' || d FROM unnest(p_channel, p_destination) AS r(c, d))
    || ARRAY(SELECT 'ip:' || ip FROM unnest(p_client_ip) ip));
  FOR i IN 1 .. cardinality(p_channel) LOOP
    RETURN NEXT otp_verify_one(
      p_channel => p_channel[i], p_destination => p_destination[i], p_purpose => p_purpose[i],
      p_user_type => p_user_type[i], p_code_hash => p_code_hash[i], p_client_ip => p_client_ip[i],
      p_cooldown_seconds => p_cooldown_seconds, p_ip_failure_window_seconds => p_ip_failure_window_seconds,
      p_ip_failure_max => p_ip_failure_max);
  END LOOP;
END
$$;
