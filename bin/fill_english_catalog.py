"""The English catalog's messages are their own msgids; fill the new ones after `pybabel update`.

Run by `make messages`. The Chinese catalog is translated by hand.
"""

from pathlib import Path

from babel.messages.pofile import read_po, write_po

PATH = Path(__file__).resolve().parent.parent / "grassroots" / "locale" / "en" / "LC_MESSAGES" / "messages.po"


def main() -> None:
    with PATH.open("rb") as fh:
        catalog = read_po(fh, locale="en")
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple | list):
            if not all(message.string or ()):
                message.string = tuple(message.id)
        elif not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")
    with PATH.open("wb") as fh:
        write_po(fh, catalog, omit_header=False, sort_output=True, include_lineno=False)


if __name__ == "__main__":
    main()
