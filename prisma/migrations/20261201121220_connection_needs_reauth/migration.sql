-- AlterEnum
ALTER TYPE "ConnectionStatus" ADD VALUE 'needs_reauth';
