/**
 * The Slack app's secrets, one Secrets Manager secret (env `SLACK_SECRET_ARN`) holding JSON:
 * `{"botToken": "xoxb-…", "signingSecret": "…", "linkSigningKey": "…"}`.
 * Read through Powertools Parameters' SecretsProvider (@aws-lambda-powertools/parameters), which
 * keeps the value per Lambda container for {@link SLACK_SECRET_CACHE_SECONDS} and does not cache a
 * failed read: a rotation is picked up within five minutes, and a container reads the secret at
 * most once per five minutes (Secrets Manager bills per call). The JSON is parsed here, not by the
 * provider's `transform: 'json'`, so a bad secret gets an error that names its fields.
 * https://docs.powertools.aws.dev/lambda/typescript/latest/features/parameters/#adjusting-cache-ttl
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import * as z from 'zod';

export const SlackSecretSchema = z.object({
  botToken: z.string().startsWith('xoxb-', 'a Slack bot token starts with xoxb-'),
  signingSecret: z.string().min(16, "the Slack app's signing secret (Basic Information → App Credentials)"),
  linkSigningKey: z.string().min(32, 'at least 32 random characters to sign approval links'),
});
export type SlackSecret = z.infer<typeof SlackSecretSchema>;

/** How long a container keeps the secret (Powertools' `maxAge`, in seconds). */
export const SLACK_SECRET_CACHE_SECONDS = 5 * 60;

export function parseSlackSecret(secretArn: string, secretString: string | undefined): SlackSecret {
  if (secretString === undefined)
    throw new Error(`secret ${secretArn} has no SecretString (binary secrets are not supported)`);
  let json: unknown;
  try {
    json = JSON.parse(secretString);
  } catch {
    throw new Error(
      `secret ${secretArn} is not JSON; expected {"botToken", "signingSecret", "linkSigningKey"}`,
    );
  }
  const parsed = SlackSecretSchema.safeParse(json);
  if (!parsed.success) {
    // Name the fields, never echo the secret's values.
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new Error(`secret ${secretArn} is not a Slack approvals secret: ${problems.join('; ')}`);
  }
  return parsed.data;
}

/** Returns a loader that caches the secret's value for {@link SLACK_SECRET_CACHE_SECONDS}. */
export function slackSecretLoader(
  client: SecretsManagerClient,
  secretArn: string,
): () => Promise<SlackSecret> {
  const secrets = new SecretsProvider({ awsSdkV3Client: client });
  return async () => {
    const value = await secrets.get(secretArn, { maxAge: SLACK_SECRET_CACHE_SECONDS });
    return parseSlackSecret(secretArn, typeof value === 'string' ? value : undefined);
  };
}
