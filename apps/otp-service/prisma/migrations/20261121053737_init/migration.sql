-- CreateTable
CREATE TABLE "otp_codes" (
    "id" BIGSERIAL NOT NULL,
    "channel" VARCHAR(8) NOT NULL,
    "destination" VARCHAR(254) NOT NULL,
    "purpose" VARCHAR(32) NOT NULL,
    "user_type" VARCHAR(8) NOT NULL,
    "code_hash" BYTEA NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "otp_codes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "otp_send_log" (
    "id" BIGSERIAL NOT NULL,
    "subject" VARCHAR(300) NOT NULL,
    "sent_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "otp_send_log_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "otp_verify_failures" (
    "id" BIGSERIAL NOT NULL,
    "subject" VARCHAR(300) NOT NULL,
    "failed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "otp_verify_failures_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "otp_events" (
    "id" BIGSERIAL NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "channel" VARCHAR(8) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "otp_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "otp_stats_daily" (
    "day" DATE NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "channel" VARCHAR(8) NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "otp_stats_daily_pkey" PRIMARY KEY ("day","kind","channel")
);

-- CreateIndex
CREATE INDEX "otp_codes_expires_at_idx" ON "otp_codes"("expires_at");

-- CreateIndex
CREATE UNIQUE INDEX "otp_codes_channel_destination_purpose_user_type_key" ON "otp_codes"("channel", "destination", "purpose", "user_type");

-- CreateIndex
CREATE INDEX "otp_send_log_subject_sent_at_idx" ON "otp_send_log"("subject", "sent_at");

-- CreateIndex
CREATE INDEX "otp_send_log_sent_at_idx" ON "otp_send_log"("sent_at");

-- CreateIndex
CREATE INDEX "otp_verify_failures_subject_failed_at_idx" ON "otp_verify_failures"("subject", "failed_at");

-- CreateIndex
CREATE INDEX "otp_verify_failures_failed_at_idx" ON "otp_verify_failures"("failed_at");

-- CreateIndex
CREATE INDEX "otp_events_at_idx" ON "otp_events"("at");
