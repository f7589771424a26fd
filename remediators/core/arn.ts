/**
 * API Gateway stage ARNs, the address every trigger (Security Hub finding, CloudTrail call,
 * custom action) gives for a stage:
 *
 * - REST:            `arn:{partition}:apigateway:{region}::/restapis/{apiId}/stages/{stageName}`
 * - HTTP/WebSocket:  `arn:{partition}:apigateway:{region}::/apis/{apiId}/stages/{stageName}`
 *
 * The account is not part of an API Gateway ARN: it comes with the event.
 *
 * Stage names: AWS allows letters, digits, `-` and `_` (up to 128), plus `$default` for V2.
 * Some producers URL-encode the `$` (`%24default`), so the stage segment is percent-decoded
 * on the way in; {@link formatStageArn} always writes the plain form AWS itself uses.
 */
import { PARTITIONS, type ApiType, type Partition, type StageLocator } from './types.js';

export class InvalidStageArnError extends Error {
  override readonly name = 'InvalidStageArnError';
  constructor(
    readonly input: string,
    problem: string,
  ) {
    super(
      `Invalid API Gateway stage ARN ${JSON.stringify(input)}: ${problem}. Expected ` +
        `arn:{aws|aws-cn|aws-us-gov}:apigateway:{region}::/restapis/{apiId}/stages/{stageName} (REST) or ` +
        `arn:{aws|aws-cn|aws-us-gov}:apigateway:{region}::/apis/{apiId}/stages/{stageName} (HTTP/WebSocket)`,
    );
  }
}

const STAGE_ARN = /^arn:([^:]*):apigateway:([^:]*):([^:]*):\/(restapis|apis)\/([^/]*)\/stages\/([^/]*)$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d{1,2}$/;
const API_ID = /^[a-z0-9]{1,64}$/i;
const STAGE_NAME = /^[\w-]{1,128}$/;
const V2_DEFAULT_STAGE = '$default';

function isPartition(value: string): value is Partition {
  return (PARTITIONS as readonly string[]).includes(value);
}

/** The partition a Region belongs to: China Regions are `cn-*`, GovCloud Regions `us-gov-*`. */
export function partitionOfRegion(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function decodeStageName(arn: string, encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new InvalidStageArnError(
      arn,
      `the stage name ${JSON.stringify(encoded)} is not valid URL encoding`,
    );
  }
}

export function parseStageArn(arn: string): StageLocator {
  const match = STAGE_ARN.exec(arn);
  if (!match) {
    throw new InvalidStageArnError(arn, 'it does not have the shape of a stage ARN');
  }
  // Stryker disable next-line StringLiteral: equivalent, every group of STAGE_ARN takes part in any match, so no default is used (they are for noUncheckedIndexedAccess)
  const [, partition = '', region = '', account = '', collection, apiId = '', encodedStage = ''] = match;
  if (!isPartition(partition)) {
    throw new InvalidStageArnError(arn, `unknown partition ${JSON.stringify(partition)}`);
  }
  if (!REGION.test(region)) {
    throw new InvalidStageArnError(arn, `${JSON.stringify(region)} is not a Region such as us-east-1`);
  }
  if (partitionOfRegion(region) !== partition) {
    throw new InvalidStageArnError(
      arn,
      `Region ${region} belongs to partition ${partitionOfRegion(region)}, not ${partition}`,
    );
  }
  if (account !== '') {
    throw new InvalidStageArnError(arn, 'API Gateway ARNs have an empty account field (`::`)');
  }
  if (!API_ID.test(apiId)) {
    throw new InvalidStageArnError(arn, `${JSON.stringify(apiId)} is not an API id`);
  }
  const apiType: ApiType = collection === 'restapis' ? 'REST' : 'V2';
  const stageName = decodeStageName(arn, encodedStage);
  const validStage = STAGE_NAME.test(stageName) || (apiType === 'V2' && stageName === V2_DEFAULT_STAGE);
  if (!validStage) {
    throw new InvalidStageArnError(
      arn,
      `${JSON.stringify(stageName)} is not a stage name (letters, digits, - and _, or $default for HTTP/WebSocket APIs)`,
    );
  }
  return { partition, region, apiType, apiId, stageName };
}

export function formatApiArn(api: Pick<StageLocator, 'partition' | 'region' | 'apiType' | 'apiId'>): string {
  const collection = api.apiType === 'REST' ? 'restapis' : 'apis';
  return `arn:${api.partition}:apigateway:${api.region}::/${collection}/${api.apiId}`;
}

export function formatStageArn(locator: StageLocator): string {
  return `${formatApiArn(locator)}/stages/${locator.stageName}`;
}
