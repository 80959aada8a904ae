"""Imports from the province's spreadsheets: land whole or not at all, list every bad row."""

import io

import pandas as pd

from evaluation.extensions import db
from evaluation.members.models import Member, MembershipChange
from evaluation.org.models import Organization, OrgKind
from tests.conftest import assert_rejected, count, write

ORGS = """code,parent_code,name,kind
HD,,Đảng bộ tỉnh Hải Dương,province
HD-CB1,HD-GR1,Chi bộ Khoa Toán,cell
HD-U1,HD,Đảng ủy xã Đoàn Thượng,upper
HD-GR1,HD-U1,Đảng bộ Trường THPT Đoàn Thượng,grassroots
HD-GR2,HD-U1,Chi bộ thôn Đông,grassroots
"""
MEMBERS = """code,full_name,org_code,email,birth_date,joined_date
0001,Nguyễn Văn An,HD-CB1,an@example.vn,15/03/1980,2005-06-01
0002,Trần Thị Bình,HD-GR2,,,
"""


def test_orgs_import_in_any_row_order_and_builds_paths(app, runner, tmp_path):
    result = runner.invoke(args=["import-orgs", write(tmp_path, "orgs.csv", ORGS)])
    assert result.exit_code == 0, result.output
    assert "5 mới" in result.output
    cell = db.session.scalars(db.select(Organization).where(Organization.code == "HD-CB1")).one()
    province = db.session.scalars(db.select(Organization).where(Organization.code == "HD")).one()
    assert cell.depth == 3 and cell.path.startswith(province.path) and province.contains(cell)


def test_members_import_with_bom_and_reimport_changes_nothing(app, runner, tmp_path):
    runner.invoke(args=["import-orgs", write(tmp_path, "orgs.csv", ORGS)])
    path = write(tmp_path, "members.csv", "\ufeff" + MEMBERS)
    first = runner.invoke(args=["import-members", path])
    assert first.exit_code == 0 and "2 mới" in first.output, first.output
    again = runner.invoke(args=["import-members", path])
    assert "0 mới, 0 cập nhật, 2 không đổi" in again.output
    member = db.session.scalars(db.select(Member).where(Member.code == "0001")).one()
    assert member.birth_date.isoformat() == "1980-03-15" and member.joined_date.year == 2005
    assert member.code == "0001"  # codes stay text: leading zeros kept


def test_decomposed_unicode_is_stored_composed(app, runner, tmp_path):
    import unicodedata

    runner.invoke(args=["import-orgs", write(tmp_path, "orgs.csv", ORGS)])
    nfd = unicodedata.normalize("NFD", MEMBERS)
    runner.invoke(args=["import-members", write(tmp_path, "members.csv", nfd)])
    member = db.session.scalars(db.select(Member).where(Member.code == "0001")).one()
    assert member.full_name == unicodedata.normalize("NFC", "Nguyễn Văn An")
    assert member.search_name == "nguyen van an"


def test_xlsx_import(app, runner, tmp_path):
    path = tmp_path / "orgs.xlsx"
    pd.read_csv(io.StringIO(ORGS), dtype=str, keep_default_na=False).to_excel(path, index=False)
    result = runner.invoke(args=["import-orgs", str(path)])
    assert result.exit_code == 0, result.output
    assert count(Organization) == 5


def test_bad_org_file_lands_nothing_and_lists_every_bad_row(app, runner, tmp_path):
    bad = ORGS + "\n".join(
        [
            "X1,HD,,cell",
            "X2,NOPE,Chi bộ lạc,cell",
            "X3,HD,Đảng bộ lạ,galaxy",
            "HD-U1,HD,Trùng mã,upper",
            "X4,HD,Chi bộ sai cấp,cell",
            "",
        ]
    )
    expected = [
        "dòng 7: thiếu tên",
        "dòng 8: không có tổ chức cấp trên mã NOPE",
        "dòng 9: loại tổ chức không hợp lệ",
        "dòng 10: mã HD-U1 trùng với dòng 4",
        "dòng 11: chi bộ không thể trực thuộc đảng bộ tỉnh",
    ]
    assert_rejected(runner, ["import-orgs", write(tmp_path, "orgs.csv", bad)], expected, Organization)


def test_bad_member_file_lands_nothing(app, runner, tmp_path):
    runner.invoke(args=["import-orgs", write(tmp_path, "orgs.csv", ORGS)])
    bad = MEMBERS + "\n".join(
        [
            "0003,,HD-CB1,,,",
            "0004,Lê Văn Cường,HD-U1,,,",
            "0005,Phạm Dung,HD-CB1,not-an-email,,",
            "0006,Vũ Em,HD-CB1,,31/02/1990,",
            "0001,Trùng,HD-CB1,,,",
            "",
        ]
    )
    expected = [
        "dòng 4: thiếu họ và tên",
        "dòng 5: Đảng ủy xã Đoàn Thượng (HD-U1) không phải chi bộ",
        "dòng 6: email không hợp lệ",
        "dòng 7: ngày không hợp lệ",
        "dòng 8: mã 0001 trùng với dòng 2",
    ]
    assert_rejected(runner, ["import-members", write(tmp_path, "members.csv", bad)], expected, Member)


def test_wrong_encoding_and_missing_columns_are_explained(app, runner, tmp_path):
    latin = runner.invoke(args=["import-orgs", write(tmp_path, "o.csv", ORGS, "utf-16")])
    assert latin.exit_code == 1 and ("UTF-8" in latin.output or "Thiếu cột" in latin.output)
    missing = runner.invoke(args=["import-orgs", write(tmp_path, "o2.csv", "code,name\nA,B\n")])
    assert missing.exit_code == 1 and "Thiếu cột: kind, parent_code" in missing.output
    absent = runner.invoke(args=["import-orgs", str(tmp_path / "none.csv")])
    assert absent.exit_code == 1 and "Không tìm thấy tệp" in absent.output


def test_member_moved_by_import_keeps_history(app, runner, tmp_path):
    runner.invoke(args=["import-orgs", write(tmp_path, "orgs.csv", ORGS)])
    runner.invoke(args=["import-members", write(tmp_path, "m.csv", MEMBERS)])
    moved = MEMBERS.replace("0001,Nguyễn Văn An,HD-CB1", "0001,Nguyễn Văn An,HD-GR2")
    result = runner.invoke(args=["import-members", write(tmp_path, "m2.csv", moved)])
    assert "1 cập nhật" in result.output
    change = db.session.scalars(db.select(MembershipChange)).one()
    assert (change.from_org.code, change.to_org.code) == ("HD-CB1", "HD-GR2")


def test_reparenting_an_org_moves_its_subtree(app, runner, tmp_path):
    runner.invoke(args=["import-orgs", write(tmp_path, "orgs.csv", ORGS)])
    moved = ORGS + "HD-U2,HD,Đảng ủy phường Mới,upper\n"
    moved = moved.replace("HD-GR1,HD-U1,", "HD-GR1,HD-U2,")
    result = runner.invoke(args=["import-orgs", write(tmp_path, "orgs2.csv", moved)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    by_code = {o.code: o for o in db.session.scalars(db.select(Organization))}
    assert by_code["HD-U2"].contains(by_code["HD-CB1"])
    assert not by_code["HD-U1"].contains(by_code["HD-CB1"])
    assert by_code["HD-CB1"].depth == 3 and by_code["HD-CB1"].kind is OrgKind.CELL


def test_orgs_carry_a_type_by_key_or_vietnamese_name_and_their_cells_carry_it_too(app, runner, tmp_path):
    typed = ORGS.replace("code,parent_code,name,kind", "code,parent_code,name,kind,type")
    typed = typed.replace("Đoàn Thượng,grassroots", "Đoàn Thượng,grassroots,public_service")
    typed = typed.replace("Chi bộ thôn Đông,grassroots", "Chi bộ thôn Đông,grassroots,XA")  # "Xã", accents ignored
    result = runner.invoke(args=["import-orgs", write(tmp_path, "orgs.csv", typed)])
    assert result.exit_code == 0, result.output
    types = dict(db.session.execute(db.select(Organization.code, Organization.type_key)).all())
    assert types == {"HD": None, "HD-U1": None, "HD-GR1": "public_service", "HD-CB1": "public_service",
                     "HD-GR2": "commune"}  # fmt: skip
    moved = typed.replace(
        "HD-GR1,HD-U1,Đảng bộ Trường THPT Đoàn Thượng,grassroots,public_service",
        "HD-GR1,HD-U1,Đảng bộ Trường THPT Đoàn Thượng,grassroots,Đơn vị sự nghiệp ngoài công lập",
    )
    assert runner.invoke(args=["import-orgs", write(tmp_path, "orgs.csv", moved)]).exit_code == 0
    cell = db.session.scalars(db.select(Organization).where(Organization.code == "HD-CB1")).one()
    assert cell.type_key == "non_public_service"


def test_a_type_that_does_not_exist_or_on_a_cell_is_refused_with_its_line(app, runner, tmp_path):
    bad = "code,parent_code,name,kind,type\nHD,,Tỉnh,province,\nG,HD,Đảng bộ,grassroots,galaxy\nC,G,Chi bộ,cell,ward\n"
    expected = ["dòng 3: loại hình không hợp lệ: 'galaxy' (dùng: commune, ward,",
                "dòng 4: chỉ tổ chức cơ sở đảng có loại hình"]  # fmt: skip
    assert_rejected(runner, ["import-orgs", write(tmp_path, "orgs.csv", bad)], expected, Organization)
