from hypothesis import given
from hypothesis import strategies as st

from survey.questionnaires import codes

bodies = st.text(alphabet=codes.ALPHABET, min_size=codes.BODY_LENGTH, max_size=codes.BODY_LENGTH)


def test_new_codes_are_well_formed_and_use_no_look_alikes():
    made = {codes.new_code() for _ in range(2000)}
    assert len(made) == 2000
    for code in made:
        assert codes.is_well_formed(code)
        assert not set(code) & set("0O1IL Z")


@given(bodies, st.integers(0, codes.BODY_LENGTH), st.sampled_from(codes.ALPHABET))
def test_every_single_mistyped_character_is_caught(body, position, replacement):
    code = body + codes.check_character(body)
    typo = code[:position] + replacement + code[position + 1:]
    assert codes.is_well_formed(typo) == (typo == code)


def test_most_neighbour_swaps_are_caught():
    caught = total = 0
    for _ in range(2000):
        code = codes.new_code()
        for i in range(len(code) - 1):
            if code[i] != code[i + 1]:
                total += 1
                caught += not codes.is_well_formed(code[:i] + code[i + 1] + code[i] + code[i + 2:])
    assert caught / total > 0.99


def test_typed_codes_are_normalised_and_displayed_in_groups():
    code = codes.new_code()
    assert codes.normalise(f" {code[:3].lower()}-{code[3:6]} {code[6:]} ") == code
    assert codes.display(code) == f"{code[:3]}-{code[3:6]}-{code[6:]}"
    assert not codes.is_well_formed("ABC")
