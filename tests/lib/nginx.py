"""tests/lib/nginx.py - nginx as an independent peer of the tests and
benchmarks: the one configuration template they share (everything nginx
writes stays in a prefix folder of the test's own; one server with a root
folder, on the address given) and the command that runs it in the
foreground, to be started and stopped by PID.

    conf = write_conf(prefix, "127.0.0.1:%d" % port, www, locations=...)
    proc = subprocess.Popen(command(nginx, prefix, conf))
"""
import os

TEMPLATE = """\
worker_processes 1;
daemon off;
master_process {master};
{user}pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
{http_extra}    {access_log};
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    default_type application/octet-stream;
    sendfile on;
    server {{
        listen {listen};
        root {root};
{locations}    }}
}}
"""


def indent(lines, depth):
    """Directives, one a line, indented by depth levels of four spaces."""
    return "".join("    " * depth + line + "\n" for line in lines)


def write_conf(prefix, listen, root, locations=(), http_extra=(), access_log="access_log off",
               single_process=False):
    """Writes prefix/nginx.conf and returns its path. locations: directives
    of the server block; http_extra: directives of the http block, one a
    line, without the indent; single_process: no workers (nginx runs as the
    user that started it, e.g. root in a network namespace)."""
    text = TEMPLATE.format(
        prefix=prefix, listen=listen, root=root, access_log=access_log,
        master="off" if single_process else "on", user="user root;\n" if single_process else "",
        http_extra=indent(http_extra, 1), locations=indent(locations, 2))
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(text)
    return conf


def command(nginx, prefix, conf):
    """The argv of nginx with that prefix and configuration, its own error
    log from the first line on."""
    return [nginx, "-p", prefix, "-c", conf, "-e", os.path.join(prefix, "error.log")]


def readable_by_workers(*paths):
    """Opens folders (and files) to nginx's workers, which run as nobody
    when the test runs as root."""
    for path in paths:
        os.chmod(path, 0o755)
