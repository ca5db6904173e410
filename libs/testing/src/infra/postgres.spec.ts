import { passwdIds, pgConfig } from './postgres';

describe('PostgreSQL', () => {
  it('finds the postgres user in /etc/passwd', () => {
    const passwd =
      'root:x:0:0:root:/root:/bin/bash\npostgres:x:101:103:PostgreSQL:/var/lib/postgresql:/bin/bash\n';

    expect(passwdIds(passwd, 'postgres')).toEqual({ uid: 101, gid: 103 });
    expect(passwdIds(passwd, 'nobody')).toBeUndefined();
  });

  it('listens on loopback only, on the instance port, and trades durability for speed', () => {
    const conf = pgConfig(24003, '/i/pg');

    expect(conf).toContain("listen_addresses = '127.0.0.1'\nport = 24003\n");
    expect(conf).toContain("unix_socket_directories = '/i/pg'\n");
    expect(conf).toContain('fsync = off\n');
  });
});
