"""Present mode through AppTest on the demo organisation: one section a screen, Previous / Next with keys."""

PRESENT = "pages/review/present.py"


def test_present_mode_steps_through_the_review(app_test):
    at = app_test(page=PRESENT)
    assert not at.exception
    assert at.title[0].value.startswith("Quarterly review · 2026-Q4")
    assert at.button(key="present_previous").disabled
    assert at.button(key="present_next").proto.shortcut.lower() == "right"
    at.button(key="present_next").click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["KPI summary"]
    assert at.table, "the KPI figures are a table"
    at.button(key="present_next").click().run()
    assert [t.value for t in at.title] == ["Objectives against pace"]
    at.button(key="present_previous").click().run()
    assert [t.value for t in at.title] == ["KPI summary"]


def test_the_last_section_is_the_notes(app_test):
    at = app_test(page=PRESENT)
    for _ in range(12):
        if at.button(key="present_next").disabled:
            break
        at.button(key="present_next").click().run()
        assert not at.exception
    assert [t.value for t in at.title] == ["Notes and decisions"]
