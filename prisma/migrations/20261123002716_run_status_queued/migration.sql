-- A new enum value cannot be used in the transaction that adds it, so it comes first, alone.
ALTER TYPE "RunStatus" ADD VALUE 'queued';
