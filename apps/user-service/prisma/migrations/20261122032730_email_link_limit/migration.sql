-- AlterTable
ALTER TABLE "users" ADD COLUMN     "email_links_sent_at" TIMESTAMPTZ(3)[] DEFAULT ARRAY[]::TIMESTAMPTZ(3)[];
