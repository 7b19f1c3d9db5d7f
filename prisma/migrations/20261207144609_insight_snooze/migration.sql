-- AlterTable
ALTER TABLE "insight" ADD COLUMN     "snoozed_until" DATE;
