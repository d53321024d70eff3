"""`make install` honours PREFIX and DESTDIR, and what it installs works: the binary runs, the
pkg-config file names the prefix, and a program written against the installed headers and
library (the README's embedding example) builds and scans."""
import os
import subprocess
import tempfile

EMBED = r'''
#include <stdio.h>
#include <cloudfort/cloudfort.h>
int main(int argc, char **argv) {
  cf_ctx_t *ctx = cf_ctx_new();
  cf_ruleset_t *rs;
  if (cf_ruleset_new(ctx, &rs) || cf_ruleset_load_builtin(rs, NULL)) return 2;
  cf_report_t rep;
  if (cf_report_init(&rep)) return 2;
  const char *paths[] = {argv[1]};
  if (cf_posture_scan(ctx, rs, paths, (size_t)(argc - 1), NULL, &rep)) return 2;
  if (cf_report_write_json(stdout, &rep, false)) return 2;
  cf_report_cleanup(&rep);
  cf_ruleset_free(rs);
  cf_ctx_free(ctx);
  return 0;
}
'''


def test_install_with_prefix_and_destdir(cli):
    with tempfile.TemporaryDirectory() as stage:
        r = subprocess.run(["make", "-s", "install", "PREFIX=/usr", f"DESTDIR={stage}", "BUILD=build"],
                           cwd=cli.root, capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr[-2000:]
        root = os.path.join(stage, "usr")
        for rel in ("bin/cloudfort", "lib/libcloudfort.a", "lib/libcloudfort.so", "lib/pkgconfig/cloudfort.pc",
                    "include/cloudfort/cloudfort.h", "include/cloudfort/posture.h", "share/man/man1/cloudfort.1",
                    "share/bash-completion/completions/cloudfort"):
            assert os.path.exists(os.path.join(root, rel)), rel
        with open(os.path.join(root, "lib/pkgconfig/cloudfort.pc")) as f:
            pc = f.read()
        assert "prefix=/usr\n" in pc and "includedir=/usr/include" in pc, pc
        v = subprocess.run([os.path.join(root, "bin/cloudfort"), "--version"], capture_output=True, text=True)
        assert v.returncode == 0 and v.stdout.startswith("cloudfort "), v.stdout
        src = os.path.join(stage, "embed.c")
        with open(src, "w") as f:
            f.write(EMBED)
        libs = pc.split("Libs.private:")[1].split("\n")[0].split()
        exe = os.path.join(stage, "embed")
        b = subprocess.run(["cc", "-std=c11", "-Wall", "-Werror", "-I" + os.path.join(root, "include"), src, "-o", exe,
                            os.path.join(root, "lib/libcloudfort.a"), *libs], capture_output=True, text=True)
        assert b.returncode == 0, b.stderr[-2000:]
        run = subprocess.run([exe, "examples/incidents/capital-one/template.yaml"], cwd=cli.root,
                             capture_output=True, text=True, timeout=60)
        assert run.returncode == 0, run.stderr
        import json
        rep = json.loads(run.stdout)
        ids = {f["rule_id"] for f in rep["findings"]}
        assert "CF-EC2-001" in ids, ids
