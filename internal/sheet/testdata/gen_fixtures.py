#!/usr/bin/env python3
"""Writes the sheet package's fixtures with another writer than ours.

The XLSX files are SpreadsheetML written by hand into a zip (no excelize,
no openpyxl), the CSVs are encoded by Python's codecs. CI does not run
this script: its output is committed. Run it from this directory:

    python3 gen_fixtures.py
"""
import zipfile
from xml.sax.saxutils import escape

CT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""

RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""

WB_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>
<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>
</Relationships>"""

WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<{p}workbook xmlns{x}="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<{p}sheets><{p}sheet name="客户" sheetId="1" r:id="rId1"/><{p}sheet name="Notes" sheetId="2" r:id="rId2"/></{p}sheets>
</{p}workbook>"""

# Style 0: General; 1: built-in date (14); 2: text (@, built-in 49);
# 3: a custom date format.
STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
</cellXfs>
</styleSheet>"""

SHARED = ["公司名称", "联系人", "手机", "邮箱", "微信", "分类", "地区", "备注", "北京星辰科技有限公司", "张三", "A"]


def sst(p):
    items = "".join("<{p}si><{p}t>{t}</{p}t></{p}si>".format(p=p, t=escape(s)) for s in SHARED)
    # A rich-text item: two runs that read as one string.
    items += "<{p}si><{p}r><{p}t>上海</{p}t></{p}r><{p}r><{p}rPr><{p}b/></{p}rPr><{p}t xml:space=\"preserve\">云帆 贸易</{p}t></{p}r></{p}si>".format(p=p)
    n = len(SHARED) + 1
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<{p}sst xmlns{x}="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{n}" uniqueCount="{n}">{items}</{p}sst>'
            ).format(p=p, x=xmlns_suffix(p), n=n, items=items)


def xmlns_suffix(p):
    return ":" + p[:-1] if p else ""


def s(ref, i, p):      # shared string
    return '<{p}c r="{r}" t="s"><{p}v>{i}</{p}v></{p}c>'.format(p=p, r=ref, i=i)


def inline(ref, text, p, r=True):
    attr = ' r="%s"' % ref if r else ""
    return '<{p}c{a} t="inlineStr"><{p}is><{p}t xml:space="preserve">{t}</{p}t></{p}is></{p}c>'.format(p=p, a=attr, t=escape(text))


def num(ref, v, p, style=0):
    st = ' s="%d"' % style if style else ""
    return '<{p}c r="{r}"{st}><{p}v>{v}</{p}v></{p}c>'.format(p=p, r=ref, st=st, v=v)


def row(n, cells, p, r=True):
    attr = ' r="%d"' % n if r else ""
    return "<{p}row{a}>{c}</{p}row>".format(p=p, a=attr, c="".join(cells))


def sheet1(p):
    rows = [
        # Row 1: the header, shared strings.
        row(1, [s("A1", 0, p), s("B1", 1, p), s("C1", 2, p), s("D1", 3, p), s("E1", 4, p), s("F1", 5, p), s("G1", 6, p), s("H1", 7, p)], p),
        # Row 2: shared strings, a phone stored as a number, a date, spaces to trim.
        row(2, [s("A2", 8, p), s("B2", 9, p), num("C2", "13800138000", p), inline("D2", "  zhang@example.com ", p),
                s("F2", 10, p), inline("G2", "北京市/朝阳区", p), num("H2", "45306", p, 1)], p),
        # Row 3: a rich-text shared string, a phone as a number in scientific
        # notation (what some writers store), a text-formatted number, a custom date.
        row(3, [s("A3", 11, p), inline("B3", "李四", p), num("C3", "1.3912345678E10", p), num("E3", "12345", p, 2),
                num("H3", "45306", p, 3)], p),
        # Row 4 is missing: an empty row in Excel.
        # Row 5: cells without r attributes, a formula with its cached value, a boolean.
        row(5, [inline("", "广州南方实业", p, r=False), inline("", "王五", p, r=False),
                '<{p}c t="str"><{p}f>"020"&amp;"-88886666"</{p}f><{p}v>020-88886666</{p}v></{p}c>'.format(p=p),
                '<{p}c t="b"><{p}v>1</{p}v></{p}c>'.format(p=p)], p),
        # Row 6: only spaces: empty once trimmed.
        row(6, [inline("A6", "   ", p)], p),
        # Row 7: a cell beyond the header's last column.
        row(7, [inline("A7", "深圳前海科技", p), inline("J7", "extra", p)], p),
        # Row 9: an empty row element with a gap before it.
        '<{p}row r="9"/>'.format(p=p),
        # A row without r: the one after row 9.
        row(0, [inline("A10", "杭州西湖电子", p), inline("C10", "13600136000", p)], p, r=False),
    ]
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<{p}worksheet xmlns{x}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><{p}sheetData>{rows}</{p}sheetData></{p}worksheet>'
            ).format(p=p, x=xmlns_suffix(p), rows="".join(rows))


def sheet2(p):
    rows = [row(1, [inline("A1", "Company", p), inline("B1", "Phone", p)], p),
            row(2, [inline("A2", "Second Sheet Ltd", p), num("B2", "13700137000", p)], p)]
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<{p}worksheet xmlns{x}="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><{p}sheetData>{rows}</{p}sheetData></{p}worksheet>'
            ).format(p=p, x=xmlns_suffix(p), rows="".join(rows))


def xlsx(name, p=""):
    """p is a namespace prefix ("x:") as the OpenXML SDK writes it, or ""."""
    parts = [("[Content_Types].xml", CT), ("_rels/.rels", RELS),
             ("xl/workbook.xml", WORKBOOK.format(p=p, x=xmlns_suffix(p))),
             ("xl/_rels/workbook.xml.rels", WB_RELS), ("xl/styles.xml", STYLES),
             ("xl/sharedStrings.xml", sst(p)), ("xl/worksheets/sheet1.xml", sheet1(p)),
             ("xl/worksheets/sheet2.xml", sheet2(p))]
    with zipfile.ZipFile(name, "w") as z:
        for part, data in parts:
            # A fixed time: the same script writes the same bytes.
            info = zipfile.ZipInfo(part, date_time=(2024, 1, 15, 0, 0, 0))
            z.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


ROWS = [
    ["公司名称", "联系人", "手机号码", "电子邮箱", "备注"],
    ["北京星辰科技有限公司", "张三", "13800138000", "zhang@example.com", "老客户，\"重点\"跟进"],
    ["上海云帆贸易有限公司", "李四", "13912345678", "", "第一行\n第二行"],
    ["𠀾字号（GB18030 四字节）", "王五", "020-88886666", "", ""],
]


def quote(cell, delim):
    if any(c in cell for c in (delim, '"', "\n", "\r")):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def text(rows, delim=",", newline="\r\n"):
    return "".join(delim.join(quote(c, delim) for c in r) + newline for r in rows)


def write(name, data, encoding, bom=b""):
    with open(name, "wb") as f:
        f.write(bom + data.encode(encoding))


if __name__ == "__main__":
    xlsx("customers.xlsx")
    xlsx("customers_prefixed.xlsx", "x:")
    # What Excel on a Chinese Windows saves as "CSV (逗号分隔)": GB18030 (GBK), CRLF, no BOM.
    write("gb18030.csv", text(ROWS), "gb18030")
    # Excel's "Unicode 文本": UTF-16LE with BOM, tab-separated.
    write("utf16le.txt", text(ROWS, "\t"), "utf-16-le", b"\xff\xfe")
    write("utf16be.csv", text(ROWS), "utf-16-be", b"\xfe\xff")
    # "CSV UTF-8 (逗号分隔)": UTF-8 with BOM.
    write("utf8bom.csv", text(ROWS), "utf-8", b"\xef\xbb\xbf")
    # A hand-made file: LF only, ragged rows, blank lines, trailing empty rows.
    write("ragged.csv", "Company,Mobile,Email\n"
          "Acme Ltd,13800138000\n"
          "\n"
          "  Beta Co ,13900139000,b@example.com,surplus\n"
          ",,\n"
          "Gamma,\"13700137000\"\n"
          ",,\n\n", "utf-8")
