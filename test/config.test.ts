/** Configuration: defaults for local use, a clear error naming the variable, and the access key never printed. */
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from '../src/config/app-config';
import { envSecretStore, SecretNotFoundError } from '../src/config/secrets';

describe('configuration', () => {
  const base = { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' };

  it('has defaults that suit Bird and a local dev server', () => {
    const c = loadConfig({ ...base });
    assert.equal(c.bird.baseUrl, 'https://api.bird.com');
    assert.equal(c.temporal.taskQueue, 'channel-provisioning');
    assert.equal(c.temporal.namespace, 'default');
    assert.equal(String(c.temporal.connectionOptions.address), '127.0.0.1:7233');
  });

  it('reads Temporal settings the envconfig way', () => {
    const c = loadConfig({
      ...base,
      TEMPORAL_ADDRESS: 'temporal.example.com:7233',
      TEMPORAL_NAMESPACE: 'bird-prod',
      TEMPORAL_TASK_QUEUE: 'q',
    });
    assert.equal(c.temporal.connectionOptions.address, 'temporal.example.com:7233');
    assert.equal(c.temporal.namespace, 'bird-prod');
    assert.equal(c.temporal.taskQueue, 'q');
  });

  it('names each bad variable', () => {
    assert.throws(
      () =>
        loadConfig({
          ...base,
          BIRD_API_BASE_URL: 'ftp://nope',
          TEMPORAL_ADDRESS: 'no-port',
          BIRD_REQUEST_TIMEOUT_MS: 'soon',
        }),
      (err: ConfigError) => {
        assert.ok(err instanceof ConfigError);
        assert.match(err.message, /BIRD_API_BASE_URL/);
        assert.match(err.message, /TEMPORAL_ADDRESS: must be host:port/);
        assert.match(err.message, /BIRD_REQUEST_TIMEOUT_MS/);
        return true;
      },
    );
  });

  it('requires the access key for the worker, and never prints it', () => {
    assert.throws(() => loadConfig({ ...base }, { requireAccessKey: true }), /BIRD_ACCESS_KEY: required/);
    const key = 'AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGhIj';
    const c = loadConfig({ ...base, BIRD_ACCESS_KEY: key }, { requireAccessKey: true });
    assert.equal(c.bird.accessKey!.reveal(), key);
    for (const text of [
      JSON.stringify(c),
      inspect(c, { depth: 10 }),
      String(c.bird.accessKey),
      `${c.bird.accessKey as unknown as string}`,
    ]) {
      assert.ok(!text.includes(key), text);
    }
    assert.throws(
      () => loadConfig({ ...base, BIRD_ACCESS_KEY: key, TEMPORAL_ADDRESS: 'bad' }),
      (err: Error) => !err.message.includes(key),
    );
  });

  it('resolves secret references only under BIRD_SECRET_, naming the reference when missing', () => {
    const store = envSecretStore({ BIRD_SECRET_WEBHOOK_SIGNING_KEY: 's3cret', BIRD_ACCESS_KEY: 'the-access-key' });
    assert.equal(store.resolve('WEBHOOK_SIGNING_KEY').reveal(), 's3cret');
    assert.throws(() => store.resolve('ACCESS_KEY'), SecretNotFoundError);
    assert.throws(
      () => store.resolve('OTHER'),
      /secret reference "OTHER" is not configured on the worker \(expected environment variable BIRD_SECRET_OTHER\)/,
    );
  });
});
