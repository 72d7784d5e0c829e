/** The stores' write status as /healthz reports it: the latest failure of any store, failing while any still fails. */
export interface StoreWriteStatus {
  lastError: { at: string; message: string } | null;
  failing: boolean;
}

export function writeHealth(stores: Record<string, StoreWriteStatus>): {
  lastError: { at: string; message: string; store: string } | null;
  failing: boolean;
} {
  let lastError: { at: string; message: string; store: string } | null = null;
  let failing = false;
  for (const [store, s] of Object.entries(stores)) {
    failing ||= s.failing;
    if (s.lastError && (!lastError || s.lastError.at > lastError.at)) lastError = { ...s.lastError, store };
  }
  return { lastError, failing };
}
