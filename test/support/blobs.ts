import { restClient } from './rest-client.ts';

/**
 * Uploads bytes to the local service the way the SDKs do (create, POST the signed form,
 * complete) with a user token, and answers the blob record. For gateway tests that need
 * files to read; uploads through the gateway are the files feature's own.
 */
export async function uploadBlob(
  baseUrl: string,
  token: string,
  blob: { name: string; content_type: string; public?: boolean },
  bytes: Uint8Array<ArrayBuffer> = new TextEncoder().encode(`bytes of ${blob.name}`),
) {
  const api = restClient(baseUrl);
  const created = await api.post('/blobs', { token, json: { blob } });
  if (created.status !== 201) throw new Error(`POST /blobs answered ${created.status}`);
  const url = new URL(created.body.blob.blob_object_access.params);
  const form = new FormData();
  for (const pair of url.search.slice(1).split('&')) {
    const [name = '', value = ''] = pair.split('=');
    form.append(name, decodeURIComponent(value));
  }
  form.append('file', new Blob([bytes]), blob.name);
  const posted = await fetch(`${url.origin}${url.pathname}`, { method: 'POST', body: form });
  await posted.arrayBuffer();
  if (posted.status !== 201) throw new Error(`upload answered ${posted.status}`);
  const completed = await api.put(`/blobs/${created.body.blob.id}/complete`, {
    token,
    json: { blob: { size: bytes.length } },
  });
  if (completed.status !== 200) throw new Error(`complete answered ${completed.status}`);
  return created.body.blob as { id: number; uid: string; name: string; content_type: string; public: boolean };
}
