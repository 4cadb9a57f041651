-- CreateTable
CREATE TABLE "user_stats" (
    "bucket" TIMESTAMPTZ(0) NOT NULL,
    "kind" VARCHAR(16) NOT NULL,
    "channel" VARCHAR(8) NOT NULL,
    "count" BIGINT NOT NULL,

    CONSTRAINT "user_stats_pkey" PRIMARY KEY ("bucket","kind","channel")
);
