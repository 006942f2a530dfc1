"""Write an Excel file of synthetic residents for import tests and benchmarks.

    .venv/bin/python bench/make_resident_xlsx.py var/residents-20k.xlsx 20000 [--committee 敦化路] [--bad 0.01]
"""

import argparse
import datetime as dt
import random

from openpyxl import Workbook

SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁于余叶蒋杜苏魏程吕丁沈任姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华平刚桂兰玉梅建国志红霞燕萍"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(n: int, rng: random.Random) -> str:
    birth = dt.date(1930, 1, 1) + dt.timedelta(days=n % 30000)
    body = f"3101{10 + n // 30000 % 90:02d}{birth:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("rows", type=int)
    parser.add_argument("--committee", default="敦化路")
    parser.add_argument("--bad", type=float, default=0.0, help="share of rows with a wrong check digit")
    parser.add_argument("--offset", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.offset)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("居民")
    ws.append(["姓名", "身份证号", "居委会", "居住地址", "联系电话", "性别", "出生日期", "户号", "与户主关系", "户籍类型",
               "标签", "备注"])
    address = ""
    for i in range(args.rows):
        number = id_number(args.offset + i, rng)
        if rng.random() < args.bad:
            number = number[:-1] + ("0" if number[-1] != "0" else "1")
        if i % 3 == 0:  # three residents to a household, at one address
            address = f"延吉东路{rng.randint(1, 400)}弄{rng.randint(1, 60)}号{rng.randint(1, 6)}0{rng.randint(1, 4)}室"
        ws.append([rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), number, args.committee, address,
                   f"13{rng.randint(100000000, 999999999)}", "", "", f"B{(args.offset + i) // 3:08d}",
                   ("户主", "配偶", "子女")[i % 3], "户籍", "", ""])
    wb.save(args.path)


if __name__ == "__main__":
    main()
