"""The class-photo panel of the live session page, in headless Chromium: upload a picture of
the class -> a box and a name per face and the count -> name an unknown face by hand."""

import pytest

from attendance.models import AttendanceRecord
from tests.api.conftest import open_session_of
from tests.api.test_class_photos import KNOWN, enroll_class, make_class_picture
from tests.browser.conftest import assert_no_sideways_scroll, log_in
from tests.factories import CourseFactory, PersonFactory


@pytest.mark.django_db(transaction=True)
def test_a_teacher_takes_the_roll_from_a_class_photo(
    live_server, teacher, launch_chromium, screenshot, shared_faces, tmp_path
):
    course = CourseFactory(teachers=[teacher], name="Year 9")
    enroll_class(course)
    course.roster.add(PersonFactory(full_name="Nia Long", external_id="nia"))
    session = open_session_of(course)
    data, frame = make_class_picture()
    picture = tmp_path / "class.jpg"
    picture.write_bytes(data)
    expected = sorted(p.replace("_", " ").title() for p in frame.people if p in KNOWN)

    with launch_chromium(camera=shared_faces / "probe" / "obama1.jpg") as browser:
        page = browser.new_page()
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/sessions/{session.pk}/")
        page.get_by_label("Photo of the class").set_input_files(picture)
        page.get_by_role("button", name="Upload and mark").click()
        page.locator(".class-photo").wait_for(timeout=60_000)
        labels = page.locator(".class-photo .face-box__label").all_inner_texts()
        assert sorted(label for label in labels if not label.startswith("Unknown")) == expected
        assert len(labels) >= 9
        count = page.locator(".class-photo__count").inner_text()
        assert count.startswith(f"Found {len(labels)} faces: {len(expected)} recognised")
        assert_boxes_lie_on_the_photo(page)
        # the recognised students' rows turn present (the page polls)
        obama = course.roster.get(external_id="obama")
        page.locator(f"#person-{obama.pk} [data-cell=status]").get_by_text("Present").wait_for()
        screenshot(page, "class-photo")
        page.set_viewport_size({"width": 390, "height": 844})
        assert_boxes_lie_on_the_photo(page)
        assert_no_sideways_scroll(page)
        screenshot(page, "class-photo-phone")
        page.set_viewport_size({"width": 1280, "height": 860})

        unknown = page.locator(".class-photo__unknown li").first
        # each unknown face is shown, cut from the photo, next to its list
        thumbnail = unknown.get_by_role("img", name="Unknown face 1")
        shades = thumbnail.evaluate(
            "(canvas) => new Set(canvas.getContext('2d').getImageData(0, 0, 72, 72).data).size"
        )
        assert shades > 50, shades  # a picture, not an empty canvas
        screenshot(page, "class-photo-unknown-faces")
        choice = unknown.get_by_role("combobox")
        # nobody is chosen yet, so a quick "Assign" cannot mark the first student by mistake
        assert choice.evaluate("(select) => select.selectedOptions[0].text") == "Choose…"
        assert unknown.get_by_role("button", name="Assign").is_disabled()
        # only students not yet marked are offered: not those the photo just recognised
        offered = choice.evaluate("(select) => [...select.options].map((o) => o.text)")
        assert "Rose Leslie" in offered
        assert not set(expected) & set(offered), offered
        choice.select_option(label="Rose Leslie")
        unknown.get_by_role("button", name="Assign").click()
        page.get_by_text("Rose Leslie, marked.").wait_for()
        assert "Rose Leslie" in page.locator(".class-photo .face-box__label").all_inner_texts()
        rose = course.roster.get(external_id="rose_leslie")
        page.locator(f"#person-{rose.pk} [data-cell=status]").get_by_text("Present").wait_for()
        screenshot(page, "class-photo-assigned")

        # After a reload the photo is back with its boxes and names, and the unknown faces
        # left can still be named (only students not marked yet are offered).
        page.reload()
        page.locator(".class-photo__stage img").wait_for()
        page.wait_for_function(
            "[...document.querySelectorAll('.class-photo__stage img')]"
            ".every((img) => img.complete && img.naturalWidth > 0)"
        )
        labels_after = page.locator(".class-photo .face-box__label").all_inner_texts()
        named_after = sorted(label for label in labels_after if not label.startswith("Unknown"))
        assert named_after == sorted([*expected, "Rose Leslie"])
        assert len(labels_after) == len(labels)
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            assert_boxes_lie_on_the_photo(page)
            assert_no_sideways_scroll(page)
            screenshot(page, f"class-photo-after-reload-{width}")
        page.set_viewport_size({"width": 1280, "height": 860})
        unknown = page.locator(".class-photo__unknown li", has=page.get_by_role("combobox"))
        choice = unknown.first.get_by_role("combobox")
        offered = choice.evaluate("(select) => [...select.options].map((o) => o.text)")
        assert offered == ["Choose…", "Nia Long"], offered
        choice.select_option(label="Nia Long")
        unknown.first.get_by_role("button", name="Assign").click()
        page.get_by_text("Nia Long, marked.").wait_for()
        nia = course.roster.get(external_id="nia")
        page.locator(f"#person-{nia.pk} [data-cell=status]").get_by_text("Present").wait_for()

    record = AttendanceRecord.objects.get(session=session, person__external_id="rose_leslie")
    assert (record.method, record.status, record.changed_by) == ("class_photo", "present", teacher)


def assert_boxes_lie_on_the_photo(page) -> None:
    """Every face box (and so its label's anchor) sits inside the photo's rectangle as drawn:
    a box laid out against another element lands outside it."""
    photo = page.locator(".class-photo__stage img").first.bounding_box()
    boxes = [box.bounding_box() for box in page.locator(".class-photo .face-box").all()]
    assert boxes and photo["width"] > 100
    for box in boxes:
        assert (
            photo["x"] - 1 <= box["x"]
            and box["x"] + box["width"] <= photo["x"] + photo["width"] + 1
        )
        assert (
            photo["y"] - 1 <= box["y"]
            and box["y"] + box["height"] <= photo["y"] + photo["height"] + 1
        )
