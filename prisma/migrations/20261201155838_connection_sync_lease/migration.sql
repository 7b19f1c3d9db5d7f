-- AlterTable
ALTER TABLE "connection" ADD COLUMN     "sync_lease_id" TEXT,
ADD COLUMN     "sync_lease_until" TIMESTAMPTZ(3);
