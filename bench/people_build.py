"""Fill the residents table with N synthetic residents spread over the district's committees (bulk insert on
SQLite, COPY on PostgreSQL). ID numbers and phones are really encrypted and hashed, as the application does.

    SQLITE_PATH=var/bench.sqlite3 .venv/bin/python bench/people_build.py 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shequ_bench .venv/bin/python bench/people_build.py 1000000
"""

from __future__ import annotations

import datetime as dt
import multiprocessing as mp
import random
import sys
import time

import district

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢傅钟姜崔谭陆范汪廖石金贾"
GIVEN = ["建国", "国强", "志强", "伟", "勇", "军", "磊", "洋", "杰", "涛", "明", "超", "华", "平", "刚", "浩", "秀英",
         "桂英", "玉兰", "美华", "丽萍", "敏", "静", "丽", "艳", "娟", "霞", "芳", "燕", "婷", "雪梅", "慧", "佳怡",
         "欣怡", "梓涵", "雨涵", "凤英", "素珍", "晓燕", "海燕", "红梅", "琳", "思琪", "子轩", "宇航", "文博"]
COLUMNS = ["name", "name_pinyin", "name_initials", "gender", "birth_date", "id_number", "id_hash", "phone",
           "phone_hash", "id_masked", "phone_masked", "committee_id", "address", "relation", "hukou_type", "note",
           "is_active", "created_at", "updated_at", "version"]
CHUNK = 20000
_ctx: dict = {}


def _init(committees):
    from shequ.people.validation import pinyin_of

    _ctx["committees"] = committees
    _ctx["sur"] = {s: pinyin_of(s) for s in SURNAMES}
    _ctx["given"] = {g: pinyin_of(g) for g in GIVEN}


def _rows(args):
    start, count = args
    from shequ.core import crypto
    from shequ.core.idcard import check_char, mask_id_number, mask_phone

    rng = random.Random(start)
    committees = _ctx["committees"]
    now = dt.datetime.now(dt.timezone.utc)
    out = []
    for n in range(start, start + count):
        surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
        (sp, si), (gp, gi) = _ctx["sur"][surname], _ctx["given"][given]
        birth = dt.date(1925, 1, 1) + dt.timedelta(days=n % 36500)
        # The sequence digits come from n so that every generated number is distinct.
        body = f"{310000 + (n // 36500) % 1000:06d}{birth:%Y%m%d}{(n // 36500000) * 100 + rng.randint(0, 99):03d}"
        body = body[:17]
        idn = body + check_char(body)
        male = int(idn[16]) % 2 == 1
        phone = f"1{rng.choice('35789')}{n % 1000000000:09d}" if rng.random() < 0.85 else ""
        out.append((
            surname + given, sp + gp, si + gi, "M" if male else "F", birth.isoformat(), crypto.encrypt(idn),
            crypto.keyed_hash(idn), crypto.encrypt(phone) if phone else "", crypto.keyed_hash(phone) if phone else "",
            mask_id_number(idn), mask_phone(phone), committees[n % len(committees)],
            f"合成路{n % 997}弄{n % 61}号{n % 6 + 1}0{n % 4 + 1}室", "", "registered", "", True, now, now, 1))
    return out


def main():
    district.setup()
    from django.db import connection, transaction

    from shequ.people.models import Resident

    total = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    tree = district.ensure_tree()
    have = Resident.objects.count()
    if have >= total:
        print(f"residents: {have} present, nothing to do")
        return
    started = time.perf_counter()
    jobs = [(have + i, min(CHUNK, total - have - i)) for i in range(0, total - have, CHUNK)]
    ctx = mp.get_context("fork")
    connection.close()
    with ctx.Pool(max(1, (mp.cpu_count() or 2)), initializer=_init, initargs=(tree["committees"],)) as pool:
        done = 0
        for rows in pool.imap(_rows, jobs):
            with transaction.atomic(), connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    with cursor.cursor.copy(f"COPY people_resident ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    placeholders = ", ".join(["%s"] * len(COLUMNS))
                    cursor.executemany(f"INSERT INTO people_resident ({', '.join(COLUMNS)}) VALUES ({placeholders})",
                                       rows)
            done += len(rows)
            if done % 100000 < CHUNK:
                print(f"  {have + done} residents ({(time.perf_counter() - started):.0f}s)", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE people_resident")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(f"residents: inserted {total - have} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
