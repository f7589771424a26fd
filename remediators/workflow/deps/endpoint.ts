/**
 * Where every workflow client sends its calls: the endpoint option (moto_server in tests and the
 * demo), else env AWS_ENDPOINT_URL, else AWS itself.
 */
export interface EndpointOptions {
  readonly endpoint?: string;
}

/** The `endpoint` part of an SDK client configuration: empty when the calls go to AWS. */
export function endpointConfig(options: EndpointOptions): { readonly endpoint?: string } {
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL;
  return endpoint === undefined || endpoint === '' ? {} : { endpoint };
}
