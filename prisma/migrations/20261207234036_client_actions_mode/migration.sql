-- AlterTable
ALTER TABLE "client" ADD COLUMN     "actions_mode" TEXT;
