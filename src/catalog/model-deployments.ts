import type { Deployment, ModelEntry } from './catalog.ts';

/**
 * Where a built-in provider id runs when an entry lists no `deployments`: vendors' APIs are `cloud`,
 * `local` (Ollama, vLLM, llama.cpp) is `on-prem`, `specialist` runs in process (`edge`, and so also
 * on the user's own hosts), `human` is the user's own review queue (`on-prem`). Unknown providers
 * count as `cloud`, the safe assumption for an on-premises policy.
 */
const PROVIDER_DEPLOYMENTS: Readonly<Record<string, readonly Deployment[]>> = {
  openai: ['cloud'],
  anthropic: ['cloud'],
  google: ['cloud'],
  together: ['cloud'],
  local: ['on-prem'],
  specialist: ['edge', 'on-prem'],
  human: ['on-prem'],
};

/** The deployment targets of a model: its `deployments`, else its provider's default (see above). */
export function modelDeployments(entry: Pick<ModelEntry, 'deployments' | 'provider'>): readonly Deployment[] {
  return entry.deployments ?? PROVIDER_DEPLOYMENTS[entry.provider] ?? ['cloud'];
}
