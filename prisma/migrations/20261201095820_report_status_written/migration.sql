-- AlterEnum
ALTER TYPE "ReportStatus" ADD VALUE 'written';
