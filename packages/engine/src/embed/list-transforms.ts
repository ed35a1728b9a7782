import { toLink } from './link.js';
import type { EndpointLike } from './link.js';
import { RemoteCall } from './remote-call.js';

/**
 * The transform modules the far side of `endpoint` serves (paths relative to
 * `tidemark serve --transforms`, `/`-separated), for a host to choose from.
 * The endpoint is closed afterwards.
 */
export async function listTransforms(endpoint: EndpointLike): Promise<string[]> {
  const remote = new RemoteCall(toLink(endpoint));
  try {
    return await remote.call('transforms');
  } finally {
    remote.release();
  }
}
