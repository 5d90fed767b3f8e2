"""shared.orgnr: Norwegian organisation numbers (modulus 11, weights 3 2 7 6 5 4 3 2)."""

import pytest

from shared.orgnr import InvalidOrganisationNumber, check_digit, is_valid, normalise, validate

NINE_DIGITS = "An organisation number has exactly nine digits."
STARTS_8_OR_9 = "An organisation number starts with 8 or 9."
CHECK_DIGIT = "The check digit does not match (modulus 11)."


@pytest.mark.parametrize(
    "number",
    [
        # Brønnøysundregistrene. 9*3+7*2+4*7+7*6+6*5+0*4+6*3+7*2 = 173; 173 % 11 = 8; 11-8 = 3
        "974760673",
        # Demo: 9*3+1*2+0+0+0+0+0*3+1*2 = 31; 31 % 11 = 9; 11-9 = 2
        "910000012",
        # Demo: 9*3+1*2+0+0+0+0+0*3+2*2 = 33; 33 % 11 = 0; check digit 0
        "910000020",
        # Leading 8: 8*3 = 24; 24 % 11 = 2; 11-2 = 9
        "800000009",
    ],
)
def test_valid_numbers(number):
    assert validate(number) == number
    assert is_valid(number) is True


def test_check_digit_by_hand():
    assert check_digit("97476067") == 3
    assert check_digit("91000001") == 2
    assert check_digit("91000002") == 0


@pytest.mark.parametrize(
    "written", ["974 760 673", "974.760.673", "974-760-673", "974\u00a0760\u00a0673"]
)
def test_separators_people_write_are_removed(written):
    assert normalise(written) == "974760673"
    assert validate(written) == "974760673"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("97476067", NINE_DIGITS),  # 8 digits
        ("9747606730", NINE_DIGITS),  # 10 digits
        ("", NINE_DIGITS),
        ("97476067A", NINE_DIGITS),  # a letter
        ("NO974760673", NINE_DIGITS),
        ("٩٧٤٧٦٠٦٧٣", NINE_DIGITS),  # Arabic-Indic digits are digits, but not ours
        # Leading 1 with a correct check digit (1*3 = 3; 11-3 = 8), so only the start is wrong.
        ("100000008", STARTS_8_OR_9),
        ("774760673", STARTS_8_OR_9),
        ("974760672", CHECK_DIGIT),  # Brønnøysund with the last digit off by one
    ],
)
def test_invalid_numbers_say_why(value, message):
    with pytest.raises(InvalidOrganisationNumber) as exc:
        validate(value)
    assert str(exc.value) == message
    assert is_valid(value) is False


# A check digit of 10 is never issued. First eight digits 90000009:
#   9*3 + 0*2 + 0*7 + 0*6 + 0*5 + 0*4 + 0*3 + 9*2 = 27 + 18 = 45
#   45 % 11 = 1  ->  11 - 1 = 10: no ninth digit can make this a valid number.
def test_check_digit_ten_means_no_valid_number():
    assert check_digit("90000009") is None


@pytest.mark.parametrize("ninth", "0123456789")
def test_every_ninth_digit_is_rejected_when_check_digit_would_be_ten(ninth):
    with pytest.raises(InvalidOrganisationNumber, match=r"check digit does not match"):
        validate("90000009" + ninth)


def test_invalid_organisation_number_is_a_value_error():
    assert issubclass(InvalidOrganisationNumber, ValueError)
