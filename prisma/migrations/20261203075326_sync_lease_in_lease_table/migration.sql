-- AlterTable
ALTER TABLE "connection" DROP COLUMN "sync_lease_id",
DROP COLUMN "sync_lease_until";
