-- AlterTable
ALTER TABLE "insight" ADD COLUMN     "seen_as_of" DATE;
