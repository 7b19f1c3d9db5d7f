-- AlterTable
ALTER TABLE "client" ADD COLUMN     "import_settings" JSONB NOT NULL DEFAULT '{}';
