#!/usr/bin/env python3
"""The classroom in a real browser (Debian's chromium, chromium-driver, python3-selenium).

    browser_test.py TIERSIM SOURCE_DIR WORK_DIR

Starts `tiersim classroom` on the teaching pyramid and checks, as a class would
see it: the teacher's page loads and the months advance (#tick); a lever pulled
mid-run moves its series; two students join and play a round (the month waits
for both, then each firm carries its student's order); a malformed message is
refused and an oversized one closes the connection, after which the page
reconnects to the same firm; the closing screen ranks both students. Leaves the
class's results file as WORK_DIR/class.h5 for the report test. Exit 77: skipped
(no browser).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77


def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        return None
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (os.path.exists(chromium) and os.path.exists(driver)):
        return None
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--user-data-dir=" + tempfile.mkdtemp(prefix="tiersim-chromium-")):
        options.add_argument(flag)
    return webdriver.Chrome(service=Service(driver), options=options)


def wait_for(what, check, timeout=20.0):
    """Polls `check` until it returns a true value (no timing is asserted: the limit only ends a hung test)."""
    end = time.monotonic() + timeout
    while True:
        try:
            value = check()
        except Exception:  # the page is between states (an element not drawn yet)
            value = None
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError("gave up waiting for: " + what)
        time.sleep(0.1)


def start_class(tiersim, source, work):
    output = os.path.join(work, "class.h5")
    for stale in (output, output + ".lock"):
        if os.path.exists(stale):
            os.remove(stale)
    command = [tiersim, "classroom", os.path.join(source, "scenarios/teaching/pyramid.yaml"), "--port", "0",
               "--autostart", "--speed", "150", "--set", "run.ticks=60", "-o", output]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    while len(lines) < 3:
        line = server.stdout.readline()
        if not line:
            raise AssertionError("tiersim classroom ended at start:\n" + "".join(lines))
        lines.append(line)
    text = "".join(lines)
    teacher = re.search(r"teacher:\s+(\S+)", text).group(1)
    students, code = re.search(r"students:\s+(\S+)\s+join code (\S+)", text).groups()
    return server, teacher, students, code, output


def text(driver, element_id):
    return driver.find_element("id", element_id).text


def number(driver, element_id):
    value = text(driver, element_id)
    return int(value) if re.fullmatch(r"-?\d+", value) else None


def teacher_page_ticks(driver, teacher):
    driver.get(teacher)
    first = wait_for("#tick shows a month", lambda: number(driver, "tick") is not None and number(driver, "tick"))
    wait_for("the months advance", lambda: number(driver, "tick") >= first + 3)


def lever_moves_series(driver):
    series = "orders.final demand"
    before = driver.execute_script("return window.tiersim.series[arguments[0]].slice(-1)[0]", series)
    months_before = driver.execute_script("return window.tiersim.series[arguments[0]].length", series)
    pulled_at = number(driver, "tick")
    field = driver.find_element("id", "lever-demand_shock")
    field.clear()
    field.send_keys("-0.5")
    driver.find_element("id", "pull-demand_shock").click()
    wait_for("the lever is logged", lambda: "demand_shock = -0.5" in text(driver, "lever-log"))
    wait_for("two months under the shock", lambda: number(driver, "tick") >= pulled_at + 3)
    # The lowest month since the pull: the shock lasts twelve months, and a
    # loaded machine can let the page look only after it has ended.
    after = driver.execute_script("return Math.min(...window.tiersim.series[arguments[0]].slice(arguments[1]))",
                                  series, months_before)
    assert after < 0.7 * before, f"final demand {before} -> {after} after a -50% shock"


def join_student(driver, url, code, name):
    driver.switch_to.new_window("tab")
    driver.get(url)
    driver.find_element("id", "code").send_keys(code)
    driver.find_element("id", "name").send_keys(name)
    driver.find_element("id", "join").click()
    wait_for(name + " sees a firm", lambda: number(driver, "month") is not None)
    return driver.current_window_handle


def decide(driver, handle, order):
    """Sends the student's order for the month their page shows; returns that month."""
    driver.switch_to.window(handle)
    month = number(driver, "month")
    field = driver.find_element("id", "order")
    field.clear()
    field.send_keys(str(order))
    driver.find_element("id", "decide").click()
    # Acknowledged, or already past: the last decision of a round ends it at once.
    wait_for("the decision is acknowledged",
             lambda: "sent" in text(driver, "decided") or number(driver, "month") > month)
    return month


def students_play_a_round(driver, teacher_handle, url, code):
    driver.switch_to.window(teacher_handle)
    rounds = driver.find_element("id", "rounds")
    rounds.clear()
    rounds.send_keys("60")
    driver.find_element("id", "pause").click()  # a change event for the rounds field, and a calm start
    wait_for("the rounds are set", lambda: "60 s" in text(driver, "round-status"))
    driver.find_element("id", "start").click()
    ana = join_student(driver, url, code, "Ana")
    ben = join_student(driver, url, code, "Ben")
    # With both connected the clock waits for both: the month each page shows is the same.
    month = decide(driver, ana, 1234)
    assert decide(driver, ben, 0) == month
    for handle in (ana, ben):
        driver.switch_to.window(handle)
        wait_for("the round ends once both decided", lambda: number(driver, "month") == month + 1)
    # Ben ordered nothing, which no cash limit changes; Ana's order may be capped by her cash.
    driver.switch_to.window(ben)
    assert text(driver, "orders-placed") == "0", text(driver, "orders-placed")
    driver.switch_to.window(teacher_handle)
    wait_for("the roster lists both", lambda: "Ana" in text(driver, "roster") and "Ben" in text(driver, "roster"))
    return ana, ben


def bad_messages_refused(driver, handle):
    driver.switch_to.window(handle)
    firm = text(driver, "firm")
    driver.execute_script("link.raw().send('decide -5 0 0')")
    wait_for("the malformed message is refused", lambda: "order" in text(driver, "messages"))
    driver.execute_script("link.raw().send('x'.repeat(100000))")
    # The server closes a connection that sends more than a message may hold; the page comes back by itself.
    wait_for("the oversized message closes the connection", lambda: "reconnecting" in text(driver, "connection"), 10)
    wait_for("the page reconnects", lambda: "reconnecting" not in text(driver, "connection"))
    wait_for("to the same firm", lambda: text(driver, "firm") == firm)


def closing_screen(driver, teacher_handle, student):
    driver.switch_to.window(teacher_handle)
    driver.find_element("id", "finish").click()
    driver.switch_to.window(student)
    wait_for("the ranking", lambda: len(driver.find_elements("css selector", "#ranking tr")) == 3)


def main():
    tiersim, source, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    driver = browser()
    if driver is None:
        print("skipped: no chromium, chromium-driver or python3-selenium")
        return SKIP
    server = None
    try:
        server, teacher, students, code, output = start_class(tiersim, source, work)
        teacher_page_ticks(driver, teacher)
        teacher_handle = driver.current_window_handle
        lever_moves_series(driver)
        ana, _ = students_play_a_round(driver, teacher_handle, students, code)
        bad_messages_refused(driver, ana)
        closing_screen(driver, teacher_handle, ana)
    finally:
        driver.quit()
        if server is not None:
            server.send_signal(signal.SIGTERM)
            rest = server.communicate(timeout=20)[0]
            print(rest)
    assert server.returncode == 0, server.returncode
    check_file(output)
    print("ok: teacher page, lever, a round of two students, refusals, reconnection, closing screen")
    return 0


def check_file(output):
    import h5py
    with h5py.File(output, "r") as f:
        events = f["classroom/events"][()]
        actions = [a.decode() if isinstance(a, bytes) else a for a in events["action"]]
        actors = [a.decode() if isinstance(a, bytes) else a for a in events["actor"]]
        assert "lever:demand_shock" in actions, actions
        assert ("Ana", "order") in zip(actors, actions), list(zip(actors, actions))
        assert ("Ben", "order") in zip(actors, actions), list(zip(actors, actions))
        assert f.attrs["status"] in ("interrupted", b"interrupted"), f.attrs["status"]
        assert f["series/by_tier"].shape[0] > 0


if __name__ == "__main__":
    sys.exit(main())
