-- AlterTable
ALTER TABLE "agency" ADD COLUMN     "rollup_hour" SMALLINT NOT NULL DEFAULT 9,
ADD COLUMN     "rollup_schedules" TEXT[] DEFAULT ARRAY[]::TEXT[];
