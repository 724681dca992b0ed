#!/usr/bin/env python3
"""Logs the baseline's seeded users in and writes what wrk's scripts need.

Usage: fixture.py URL USERS PREFIX OUT.lua   (password from BENCH_PASSWORD)

Writes a Lua chunk returning one table per user: access and refresh tokens,
the first job site's id and the ids of the user's postings. The file holds
live tokens, so it is created readable by its owner only.
"""
import json
import os
import sys
import urllib.request


def call(url, method="GET", body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def lua_string(text):
    return json.dumps(str(text))  # a JSON string is a valid Lua string here (ASCII)


def main():
    base, users, prefix, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    password = os.environ.get("BENCH_PASSWORD", "Bench-Passw0rd!2024")
    rows = []
    for i in range(1, users + 1):
        tokens = call(f"{base}/api/auth/login/", "POST", {"username": f"{prefix}{i}", "password": password})
        access = tokens["access"]
        sites = call(f"{base}/api/job_site/", token=access)
        postings = call(f"{base}/api/job_posting/", token=access)
        if not sites or not postings:
            sys.exit(f"fixture.py: {prefix}{i} has no sites or postings: seed first")
        ids = ", ".join(lua_string(p["id"]) for p in postings)
        rows.append(
            f"  {{ username = {lua_string(prefix + str(i))}, access = {lua_string(access)}, "
            f"refresh = {lua_string(tokens['refresh'])}, site = {lua_string(sites[0]['id'])}, "
            f"postings = {{ {ids} }} }},"
        )
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("return {\n" + "\n".join(rows) + "\n}\n")
    print(f"fixture.py: {users} users logged in, fixture in {out}")


if __name__ == "__main__":
    main()
