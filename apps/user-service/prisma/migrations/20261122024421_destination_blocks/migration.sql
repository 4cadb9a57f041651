-- CreateTable
CREATE TABLE "destination_blocks" (
    "id" BIGSERIAL NOT NULL,
    "destinations" JSONB NOT NULL,
    "blocked" BOOLEAN NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" VARCHAR(500),

    CONSTRAINT "destination_blocks_pkey" PRIMARY KEY ("id")
);
