"""Image uploads: clear errors for bad files in the admin, renditions for good ones."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from PIL import Image

from magazine.images import rendition_set, renditions_generate, validate_image_upload
from magazine.models import Article, Author, LibraryImage
from tests.factories import ArticleFactory, AuthorFactory, jpeg_upload

LIBRARY_ADD_URL = "/admin/magazine/libraryimage/add/"


@pytest.fixture(autouse=True)
def english(settings: Any) -> None:
    """The admin speaks LANGUAGE_CODE: English msgids whatever the French catalogue says."""
    settings.LANGUAGE_CODE = "en"


def png_upload(name: str = "schema.png", size: tuple[int, int] = (900, 500)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", size, (200, 40, 40, 128)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def truncated_jpeg_upload() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.effect_noise((800, 600), 64).convert("RGB").save(buffer, "JPEG")
    data = buffer.getvalue()
    return SimpleUploadedFile("coupee.jpg", data[: len(data) // 2], content_type="image/jpeg")


def bomb_png_upload(size: tuple[int, int] = (20_000, 20_000)) -> SimpleUploadedFile:
    """A PNG of a few KB that declares 400 million pixels: decoding it would eat the server."""
    buffer = io.BytesIO()
    Image.new("1", size).save(buffer, "PNG", optimize=True)
    return SimpleUploadedFile("bombe.png", buffer.getvalue(), content_type="image/png")


SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" '
    b'onload="alert(1)"><rect width="10" height="10"/></svg>'
)


def post_library_image(client: Client, upload: SimpleUploadedFile) -> Any:
    return client.post(
        LIBRARY_ADD_URL, {"file": upload, "alt_text": "Un graphique", "caption": "", "credit": ""}
    )


def file_errors(response: Any) -> list[str]:
    assert response.status_code == 200, "the upload should have been refused"
    return [str(message) for message in response.context["adminform"].form.errors["file"]]


def rendition_paths(source_name: str) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "renditions" / Path(source_name).with_suffix("")
    return sorted(path for path in folder.iterdir() if path.is_file())


# --- Refused uploads: each gives its own clear error and saves nothing -----------------------


def test_text_file_is_refused(editor_client: Client) -> None:
    upload = SimpleUploadedFile("notes.png", b"Compte rendu de la soiree", content_type="image/png")

    errors = file_errors(post_library_image(editor_client, upload))

    assert errors == [
        "This file is not an image we accept. Upload a JPEG, PNG, WebP or GIF "
        "(SVG and other formats are refused)."
    ]
    assert not LibraryImage.objects.exists()


def test_svg_is_refused(editor_client: Client) -> None:
    upload = SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")

    errors = file_errors(post_library_image(editor_client, upload))

    assert "SVG and other formats are refused" in errors[0]
    assert not LibraryImage.objects.exists()


def test_truncated_jpeg_is_refused(editor_client: Client) -> None:
    errors = file_errors(post_library_image(editor_client, truncated_jpeg_upload()))

    assert errors == ["The file is not a valid image (JPEG, PNG, WebP or GIF)."]
    assert not LibraryImage.objects.exists()


def test_too_heavy_file_is_refused(editor_client: Client, settings: Any) -> None:
    settings.KIOSQUE_IMAGE_MAX_BYTES = 2_000
    upload = jpeg_upload()
    assert upload.size > 2_000

    errors = file_errors(post_library_image(editor_client, upload))

    assert errors[0].startswith("The image is too large (")
    assert "the maximum is 0.0 MB" in errors[0]
    assert not LibraryImage.objects.exists()


def test_decompression_bomb_is_refused(editor_client: Client) -> None:
    upload = bomb_png_upload()
    assert upload.size < 100_000

    errors = file_errors(post_library_image(editor_client, upload))

    assert errors == ["The image has too many pixels to be processed safely."]
    assert not LibraryImage.objects.exists()


def test_image_above_the_pixel_limit_is_refused(editor_client: Client, settings: Any) -> None:
    settings.KIOSQUE_IMAGE_MAX_PIXELS = 1_000_000

    errors = file_errors(post_library_image(editor_client, jpeg_upload(size=(1600, 900))))

    assert errors == ["The image is 1600×900 pixels, more than the 1.0 million pixels allowed."]
    assert not LibraryImage.objects.exists()


def test_bad_hero_image_is_refused_without_saving_the_article(editor_client: Client) -> None:
    from tests.magazine.test_admin import article_form_data

    data = article_form_data(hero_image=truncated_jpeg_upload(), hero_alt="Une photo")

    response = editor_client.post("/admin/magazine/article/add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["hero_image"] == [
        "The file is not a valid image (JPEG, PNG, WebP or GIF)."
    ]
    assert not Article.objects.exists()


def test_validator_also_guards_the_model_path(db: None) -> None:
    author = AuthorFactory()
    author.photo = SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")

    with pytest.raises(ValidationError) as error:
        author.full_clean()

    assert "photo" in error.value.message_dict


def test_stored_image_is_not_validated_again_on_each_save(db: None, settings: Any) -> None:
    author = AuthorFactory(photo=jpeg_upload("photo.jpg", size=(400, 400)))
    settings.KIOSQUE_IMAGE_MAX_PIXELS = 100  # tightened after the upload

    author.full_clean()  # editing the biography must not be blocked by the old photo


def test_validator_leaves_the_file_ready_to_be_read(db: None) -> None:
    upload = jpeg_upload()

    validate_image_upload(upload)

    assert upload.tell() == 0


# --- Accepted uploads and their renditions --------------------------------------------------


@pytest.mark.parametrize(
    ("upload", "widths"),
    [
        (lambda: jpeg_upload("forum.jpg", size=(1300, 700)), [480, 800, 1200]),
        (lambda: png_upload("schema.png", size=(900, 500)), [480, 800]),
    ],
    ids=["jpeg", "png-with-transparency"],
)
def test_valid_image_is_accepted_and_its_renditions_are_written(
    editor_client: Client,
    django_capture_on_commit_callbacks: Any,
    upload: Any,
    widths: list[int],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = post_library_image(editor_client, upload())

    assert response.status_code == 302
    image = LibraryImage.objects.get()
    paths = rendition_paths(image.file.name)
    found = set()
    for path in paths:
        with Image.open(path) as rendition:
            found.add((rendition.format, rendition.width))
    assert found == {(fmt, w) for fmt in ("WEBP", "JPEG") for w in widths}


def test_rendition_set_gives_srcsets_of_generated_files(db: None) -> None:
    author = AuthorFactory(photo=jpeg_upload("portrait.jpg", size=(1000, 1000)))
    assert author.photo_width == 1000

    written = renditions_generate(source=author.photo, source_width=author.photo_width)
    renditions = rendition_set(author.photo, author.photo_width, author.photo_height)

    assert written == 4
    assert renditions is not None
    webp = renditions.webp_srcset.split(", ")
    jpeg = renditions.jpeg_srcset.split(", ")
    assert [entry.rsplit(" ", 1)[1] for entry in webp] == ["480w", "800w"]
    assert [entry.rsplit(" ", 1)[1] for entry in jpeg] == ["480w", "800w"]
    assert all(entry.split(" ")[0].endswith(".webp") for entry in webp)
    for entry in [*webp, *jpeg, renditions.fallback_url + " x"]:
        url = entry.split(" ")[0]
        assert (Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL)).is_file()
    assert (renditions.width, renditions.height) == (1000, 1000)


def test_small_image_gets_one_rendition_at_its_own_width(db: None) -> None:
    author = AuthorFactory(photo=jpeg_upload("vignette.jpg", size=(300, 300)))

    renditions_generate(source=author.photo, source_width=author.photo_width)
    renditions = rendition_set(author.photo, 300, 300)

    assert renditions is not None
    assert renditions.jpeg_srcset.endswith(" 300w")
    assert ", " not in renditions.jpeg_srcset


def test_generate_renditions_command_covers_every_kind_of_image(db: None) -> None:
    article = ArticleFactory(hero_image=jpeg_upload("une.jpg", size=(820, 400)), hero_alt="Une")
    author = AuthorFactory(photo=jpeg_upload("visage.jpg", size=(500, 500)))
    library = LibraryImage.objects.create(
        file=jpeg_upload("galerie.jpg", size=(1700, 900)), alt_text="Une galerie"
    )
    Author.objects.filter(pk=author.pk).update(photo_width=None, photo_height=None)
    out = io.StringIO()

    call_command("generate_renditions", stdout=out)

    assert len(rendition_paths(article.hero_image.name)) == 4
    assert len(rendition_paths(author.photo.name)) == 2
    assert len(rendition_paths(library.file.name)) == 8
    assert "14" in out.getvalue()
    assert Author.objects.get(pk=author.pk).photo_width == 500  # dimensions backfilled
