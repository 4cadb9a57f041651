-- CreateTable
CREATE TABLE "otp_codes" (
    "channel" VARCHAR(8) NOT NULL,
    "destination" VARCHAR(254) NOT NULL,
    "purpose" VARCHAR(32) NOT NULL,
    "user_type" VARCHAR(8) NOT NULL,
    "code_hash" BYTEA,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "max_attempts" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "sent_at" TIMESTAMPTZ(6)[] DEFAULT ARRAY[]::TIMESTAMPTZ(6)[],
    "failed_at" TIMESTAMPTZ(6)[] DEFAULT ARRAY[]::TIMESTAMPTZ(6)[],

    CONSTRAINT "otp_codes_pkey" PRIMARY KEY ("channel","destination","purpose","user_type")
);

-- CreateTable
CREATE TABLE "otp_client_ips" (
    "ip" VARCHAR(64) NOT NULL,
    "sent_at" TIMESTAMPTZ(6)[] DEFAULT ARRAY[]::TIMESTAMPTZ(6)[],
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "otp_client_ips_pkey" PRIMARY KEY ("ip")
);

-- CreateTable
CREATE TABLE "otp_stats" (
    "bucket" TIMESTAMPTZ(0) NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "channel" VARCHAR(8) NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "otp_stats_pkey" PRIMARY KEY ("bucket","kind","channel")
);

-- CreateIndex
CREATE INDEX "otp_codes_expires_at_idx" ON "otp_codes"("expires_at");
