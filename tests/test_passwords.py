"""Weak passwords are refused with the reason; a long phrase passes."""

import pytest

from evaluation.auth.passwords import password_problems
from evaluation.demo import DEMO_PASSWORD


@pytest.mark.parametrize(
    "password", ["password1234", "qwertyuiop1", "iloveyou123", "abcdabcdab", "Matkhau@123", "Dangvien@2025"]
)
def test_the_passwords_a_guesser_tries_first_are_refused(app, password):
    assert password_problems(password, "dangvien")


def test_the_public_demo_password_without_its_dashes_is_refused_when_it_is_replaced(app):
    assert password_problems(DEMO_PASSWORD.replace("-", ""), "dangvien", "Nguyễn Thị Thu Hà", DEMO_PASSWORD)


def test_the_persons_own_name_is_refused(app):
    assert password_problems("NguyenThiThuHa1990", "dangvien", "Nguyễn Thị Thu Hà")


@pytest.mark.parametrize(
    "password", ["mot cau rat de nho 2025", "ca phe sua da buoi sang 7h", "Luôn chấp hành nghiêm!"]
)
def test_a_long_phrase_passes(app, password):
    assert password_problems(password, "dangvien", "Nguyễn Thị Thu Hà") == []
