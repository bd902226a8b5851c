#!/usr/bin/env python3
"""A class of 40 on the wire, without a browser (python3-trio-websocket, which python3-selenium brings).

    class_of_40.py TIERSIM SOURCE_DIR WORK_DIR

Forty students join one class and get forty different firms; the month waits
for all of them and runs once each has decided. Around them: a wrong join code
and a wrong teacher key are refused, a student cannot run the clock, and HTTP
requests cannot reach files outside the page folder. Exit 77: skipped (no
trio-websocket).
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys

SKIP = 77
STUDENTS = 40


def start_class(tiersim, source, work):
    output = os.path.join(work, "class-of-40.h5")
    command = [tiersim, "classroom", os.path.join(source, "scenarios/teaching/pyramid.yaml"), "--port", "0",
               "--speed", "20", "--set", "run.ticks=12", "-o", output, "--overwrite", "--threads", "1"]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    head = "".join(server.stdout.readline() for _ in range(3))
    key = re.search(r"teacher:\s+\S+#(\S+)", head).group(1)
    port = int(re.search(r"students:\s+http://[^:]+:(\d+)/", head).group(1))
    code = re.search(r"join code (\S+)", head).group(1)
    return server, port, key, code


def http_status(port, target):
    """The status of a raw GET of `target`, sent as written (no client normalises the path)."""
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        reply = connection.recv(256).decode(errors="replace")
    return int(reply.split()[1])


async def next_of(ws, kind):
    while True:
        message = json.loads(await ws.get_message())
        if message["type"] == kind:
            return message


async def refusal(ws):
    return (await next_of(ws, "refused"))["reason"]


async def play(port, key, code):
    import trio
    from trio_websocket import open_websocket_url
    url = f"ws://127.0.0.1:{port}/ws"
    async with open_websocket_url(url) as teacher:
        await teacher.send_message("hello teacher wrong" + key)
        assert "teacher key" in await refusal(teacher)
        await teacher.send_message("hello teacher " + key)
        await next_of(teacher, "setup")
        await teacher.send_message("rounds 60")
        async with open_websocket_url(url) as stranger:
            await stranger.send_message("hello student WRONG Eve")
            assert "join code" in await refusal(stranger)

        firms, months = {}, {}
        async def student(k, ready, done):
            async with open_websocket_url(url) as ws:
                await ws.send_message(f"hello student {code} student{k}")
                firm = await next_of(ws, "firm")
                firms[k], months[k] = firm["firm"], firm["month"]
                if k == 0:
                    await ws.send_message("start")
                    assert "only the teacher" in await refusal(ws)
                await ready.wait()
                await ws.send_message("decide auto 0 0")
                while True:
                    firm = await next_of(ws, "firm")
                    if firm["month"] == months[k] + 1:
                        done[k] = firm
                        return

        ready, done = trio.Event(), {}
        async with trio.open_nursery() as nursery:
            for k in range(STUDENTS):
                nursery.start_soon(student, k, ready, done)
            while len(firms) < STUDENTS:
                await trio.sleep(0.05)
            roster = await next_of(teacher, "roster")
            while len(roster["students"]) < STUDENTS:
                roster = await next_of(teacher, "roster")
            assert len(set(firms.values())) == STUDENTS, "two students share a firm"
            assert len(set(months.values())) == 1, months
            await teacher.send_message("start")
            ready.set()
        assert len(done) == STUDENTS


def main():
    tiersim, source, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    try:
        import trio
    except ImportError:
        print("skipped: no python3-trio-websocket")
        return SKIP
    server, port, key, code = start_class(tiersim, source, work)
    try:
        for target in ("/static/../CMakeLists.txt", "/static/..%2fCMakeLists.txt", "/static/%2e%2e/README.md",
                       "/../../etc/passwd", "/static/class-of-40.h5", "/lib/../../../etc/passwd"):
            assert http_status(port, target) == 404, target
        assert http_status(port, "/static/teacher.js") == 200
        trio.run(play, port, key, code)
    finally:
        server.send_signal(signal.SIGTERM)
        print(server.communicate(timeout=20)[0])
    assert server.returncode == 0, server.returncode
    print(f"ok: {STUDENTS} students, {STUDENTS} firms, one round; refusals; no file outside the pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
