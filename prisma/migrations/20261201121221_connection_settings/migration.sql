-- AlterTable
ALTER TABLE "connection" ADD COLUMN     "settings" JSONB NOT NULL DEFAULT '{}';
