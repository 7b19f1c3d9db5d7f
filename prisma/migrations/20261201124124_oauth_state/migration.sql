-- CreateTable
CREATE TABLE "oauth_state" (
    "nonce" TEXT NOT NULL,
    "client_id" UUID NOT NULL,
    "platform" "Platform" NOT NULL,
    "account_id" TEXT NOT NULL,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    "used_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "oauth_state_pkey" PRIMARY KEY ("nonce")
);

-- AddForeignKey
ALTER TABLE "oauth_state" ADD CONSTRAINT "oauth_state_client_id_fkey" FOREIGN KEY ("client_id") REFERENCES "client"("id") ON DELETE CASCADE ON UPDATE CASCADE;
