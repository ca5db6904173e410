import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { AlipayPlusClient, loadPrivateKey, loadPublicKey } from '@app/alipayplus';
import { loadPartners } from '@app/config';
import { AlipayPlusSimulator } from '@test/simulator';
import { addPeerKey, rotateSimulatorKey } from './k-key-rotation';
import { generateTestKeyPair } from './keys';

describe('key rotation helpers', () => {
  const ours = generateTestKeyPair();
  const alipay = generateTestKeyPair();
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'k-rotation-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('addPeerKey adds the key beside the old one, and the result loads as partner settings', () => {
    const file = path.join(dir, 'partners.json');
    writeFileSync(
      file,
      JSON.stringify([
        {
          clientId: 'C1',
          dialect: 'antom',
          peerPublicKey: alipay.publicKeyBase64,
          peerKeyVersion: '1',
        },
        { clientId: 'C2', dialect: 'antom', peerPublicKey: alipay.publicKeyBase64 },
      ]),
    );
    const next = generateTestKeyPair();

    addPeerKey(file, 'C1', '2', next.publicKeyBase64);

    const [c1, c2] = loadPartners({ PARTNERS_FILE: file }, {}, 'test');
    expect(c1.peerPublicKeys.map((k) => k.keyVersion)).toEqual(['1', '2']);
    expect(c2.peerPublicKeys).toHaveLength(1);
    expect(() => addPeerKey(file, 'NOBODY', '2', next.publicKeyBase64)).toThrow(/no partner NOBODY/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveLength(2);
  });

  it('rotateSimulatorKey makes the simulator sign with the returned key and keyVersion', async () => {
    const sim = new AlipayPlusSimulator({
      partners: [
        {
          clientId: 'C1',
          dialect: 'alipayplus',
          privateKey: loadPrivateKey(alipay.privateKeyBase64),
          acquirerPublicKey: loadPublicKey(ours.publicKeyBase64),
        },
      ],
    });
    const { url } = await sim.start();
    try {
      const rotated = await rotateSimulatorKey(url, 'C1', '2');
      const client = new AlipayPlusClient({
        baseUrl: url,
        dialect: 'alipayplus',
        clientId: 'C1',
        privateKey: loadPrivateKey(ours.privateKeyBase64),
        peerPublicKeys: [{ keyVersion: '2', publicKey: loadPublicKey(rotated.publicKeyBase64) }],
      });
      expect(await client.inquiryPayment({ paymentRequestId: 'x' })).toMatchObject({
        kind: 'response',
        verified: true,
      });
      await expect(rotateSimulatorKey(url, 'NOBODY', '2')).rejects.toThrow(/422/);
    } finally {
      await sim.stop();
    }
  });
});
