"""Every refusal the deck can give a person, in English and Simplified Chinese, in one place."""

from __future__ import annotations

from kling_ui.i18n import Text, UserError

EXPORT_PDF = Text(
    "Export the presentation as a PDF (File > Export > PDF) and upload that instead.",
    "请将演示文稿导出为 PDF（文件 > 导出 > PDF）后上传。",
)
SUPPORTED = Text(
    "Upload a PDF, PNG/JPEG/WebP images, a ZIP of images, or a PPTX.",
    "请上传 PDF、PNG/JPEG/WebP 图片、图片的 ZIP 压缩包或 PPTX。",
)
RELOAD_AND_RETRY = Text("Reload the deck and try again.", "请重新加载演示文稿后再试。")
PASSWORD_PROTECTED = Text("{name} is password-protected.", "{name} 受密码保护。")


def no_input() -> UserError:
    """Nothing was uploaded."""
    return UserError(
        "deck.no_input", Text("No files were given.", "没有提供任何文件。"), remedy=SUPPORTED
    )


def unsupported(name: str) -> UserError:
    """A file of a kind the deck cannot read."""
    return UserError(
        "deck.unsupported",
        Text(
            "{name} is not a PDF, an image, a ZIP or a PPTX.",
            "{name} 不是 PDF、图片、ZIP 或 PPTX。",
        ).format(name=name),
        remedy=SUPPORTED,
    )


def bad_pdf(name: str) -> UserError:
    """A PDF that cannot be parsed."""
    return UserError(
        "deck.bad_pdf",
        Text("{name} is damaged or not a valid PDF.", "{name} 已损坏或不是有效的 PDF。").format(
            name=name
        ),
        remedy=Text(
            "Open it in a PDF viewer, save or export it again, and upload the new file.",
            "请用 PDF 阅读器打开并重新保存或导出后再上传。",
        ),
    )


def encrypted_pdf(name: str) -> UserError:
    """A PDF that needs a password to open."""
    return UserError(
        "deck.encrypted_pdf",
        PASSWORD_PROTECTED.format(name=name),
        remedy=Text(
            "Remove the password (print or export it to a new PDF without protection) and upload "
            "that file.",
            "请移除密码（打印或导出为不加密的新 PDF）后上传。",
        ),
    )


def empty_pdf(name: str) -> UserError:
    """A PDF with no pages."""
    return UserError(
        "deck.empty_pdf",
        Text("{name} has no pages.", "{name} 没有任何页面。").format(name=name),
        remedy=Text("Upload a PDF that contains the slides.", "请上传包含幻灯片页面的 PDF。"),
    )


def bad_image(name: str) -> UserError:
    """An image file that cannot be decoded."""
    return UserError(
        "deck.bad_image",
        Text(
            "{name} is damaged or not a readable image.", "{name} 已损坏或无法读取为图片。"
        ).format(name=name),
        remedy=Text(
            "Save it again as PNG or JPEG and upload it.", "请重新保存为 PNG 或 JPEG 后上传。"
        ),
    )


def image_too_large(name: str, limit: int) -> UserError:
    """An image with more pixels than the deck accepts (possible decompression bomb)."""
    return UserError(
        "deck.image_too_large",
        Text(
            "{name} has more than {limit} million pixels.", "{name} 的像素超过 {limit} 百万。"
        ).format(name=name, limit=limit // 1_000_000),
        remedy=Text(
            "Scale it down (4K is plenty) and upload it again.",
            "请缩小尺寸（4K 已足够）后重新上传。",
        ),
    )


def bad_zip(name: str) -> UserError:
    """A ZIP that cannot be read (damaged, encrypted, or not a ZIP)."""
    return UserError(
        "deck.bad_zip",
        Text(
            "{name} is damaged, password-protected or not a ZIP file.",
            "{name} 已损坏、受密码保护或不是 ZIP 文件。",
        ).format(name=name),
        remedy=Text(
            "Create the ZIP again without a password, or upload the images themselves.",
            "请重新创建不加密码的 ZIP，或直接上传图片。",
        ),
    )


def zip_traversal(name: str, member: str) -> UserError:
    """A ZIP member whose path would escape the folder it is extracted to."""
    return UserError(
        "deck.zip_traversal",
        Text(
            "{name} contains an unsafe path ({member}).", "{name} 中包含不安全的路径（{member}）。"
        ).format(name=name, member=member),
        remedy=Text(
            "Put the slide images in a plain folder, zip that folder, and upload it.",
            "请把幻灯片图片放进普通文件夹并压缩该文件夹后上传。",
        ),
    )


def nested_archive(name: str, member: str) -> UserError:
    """A ZIP that contains another archive."""
    return UserError(
        "deck.nested_archive",
        Text(
            "{name} contains another archive ({member}).", "{name} 中包含另一个压缩包（{member}）。"
        ).format(name=name, member=member),
        remedy=Text(
            "Extract it and put only the slide images into one ZIP.",
            "请解压后只把幻灯片图片放进一个 ZIP。",
        ),
    )


def zip_too_large(name: str, limit: int) -> UserError:
    """A ZIP whose content would unpack to more than the deck accepts (possible ZIP bomb)."""
    return UserError(
        "deck.zip_too_large",
        Text(
            "{name} unpacks to more than {limit} MB, or has too many files.",
            "{name} 解压后超过 {limit} MB，或文件数量过多。",
        ).format(name=name, limit=limit // 1_000_000),
        remedy=Text(
            "Upload fewer or smaller images (a PDF of the deck also works).",
            "请上传更少或更小的图片（也可以上传整个演示文稿的 PDF）。",
        ),
    )


def pptx_needs_soffice(name: str) -> UserError:
    """A PPTX on a machine without LibreOffice."""
    return UserError(
        "deck.pptx_needs_soffice",
        Text(
            "{name} is a presentation file (PowerPoint, Keynote, ...), and LibreOffice (soffice) "
            "is not installed here to convert it.",
            "{name} 是演示文稿文件（PowerPoint、Keynote 等），本机未安装用于转换的 "
            "LibreOffice（soffice）。",
        ).format(name=name),
        remedy=EXPORT_PDF,
    )


def pptx_convert_failed(name: str) -> UserError:
    """LibreOffice ran but could not open the file or produced no PDF."""
    return UserError(
        "deck.pptx_convert_failed",
        Text(
            "LibreOffice could not open {name} to render its slides: the file may be damaged "
            "or not a presentation.",
            "LibreOffice 无法打开 {name} 以渲染幻灯片：文件可能已损坏或不是演示文稿。",
        ).format(name=name),
        remedy=EXPORT_PDF,
    )


def pptx_timeout(name: str, seconds: int) -> UserError:
    """LibreOffice took longer than the deck allows to render a presentation."""
    return UserError(
        "deck.pptx_timeout",
        Text(
            "LibreOffice took longer than {seconds} s to render {name}, so it was stopped.",
            "LibreOffice 渲染 {name} 超过 {seconds} 秒，已被停止。",
        ).format(name=name, seconds=seconds),
        remedy=Text(
            "Split the presentation into smaller decks, or export it as a PDF and upload that.",
            "请将演示文稿拆分为较小的几份，或导出为 PDF 后上传。",
        ),
    )


def pptx_encrypted(name: str) -> UserError:
    """A PowerPoint file saved with a password (an encrypted container, not a ZIP)."""
    return UserError(
        "deck.pptx_encrypted",
        PASSWORD_PROTECTED.format(name=name),
        remedy=Text(
            "Open it in PowerPoint, remove the password (File > Info > Protect Presentation > "
            "Encrypt with Password, then clear it), save, and upload the new file.",
            "请在 PowerPoint 中打开，移除密码（文件 > 信息 > 保护演示文稿 > 用密码进行加密，"
            "清空密码），保存后上传新文件。",
        ),
    )


def pptx_empty(name: str) -> UserError:
    """A presentation without any slide to show (none at all, or every one hidden)."""
    return UserError(
        "deck.pptx_empty",
        Text(
            "{name} has no slides to show (it is empty, or every slide is hidden).",
            "{name} 没有可放映的幻灯片（文件为空，或所有幻灯片都已隐藏）。",
        ).format(name=name),
        remedy=Text(
            "Add slides (or unhide them) in PowerPoint, save, and upload it again.",
            "请在 PowerPoint 中添加幻灯片（或取消隐藏），保存后重新上传。",
        ),
    )


def pptx_too_large(name: str, limit: int) -> UserError:
    """A presentation file (or its unpacked content) above the size the deck accepts."""
    return UserError(
        "deck.pptx_too_large",
        Text(
            "{name} is larger than {limit} MB (packed or unpacked), too much to render here.",
            "{name} 超过 {limit} MB（压缩或解压后），无法在此渲染。",
        ).format(name=name, limit=limit // 1_000_000),
        remedy=Text(
            "Compress its pictures, remove embedded videos, or split it into smaller decks "
            "(a PDF export also works).",
            "请压缩图片、移除内嵌视频，或拆分为较小的几份（也可以导出为 PDF 上传）。",
        ),
    )


def too_few_slides(count: int) -> UserError:
    """A deck needs at least two slides to have a transition."""
    return UserError(
        "deck.too_few_slides",
        Text(
            "A deck needs at least 2 slides; this one has {count}.",
            "演示文稿至少需要 2 张幻灯片，当前只有 {count} 张。",
        ).format(count=count),
        remedy=Text("Add more slides or pages.", "请添加更多幻灯片或页面。"),
    )


def too_many_slides(count: int, limit: int) -> UserError:
    """More slides than one deck accepts."""
    return UserError(
        "deck.too_many_slides",
        Text(
            "This deck has {count} slides; at most {limit} are accepted.",
            "该演示文稿有 {count} 张幻灯片，最多支持 {limit} 张。",
        ).format(count=count, limit=limit),
        remedy=Text("Split it into smaller decks.", "请拆分为多个较小的演示文稿。"),
    )


def bad_order() -> UserError:
    """A new slide order that is not a list of this deck's slides without repeats."""
    return UserError(
        "deck.bad_order",
        Text(
            "The new order must list this deck's slides, each at most once.",
            "新的顺序只能包含本演示文稿的幻灯片，且每张最多出现一次。",
        ),
        remedy=Text("Reload the deck and arrange it again.", "请重新加载演示文稿后再调整顺序。"),
    )


def unknown_slide(slide_id: str) -> UserError:
    """A slide id that is not in the deck."""
    return UserError(
        "deck.unknown_slide",
        Text("There is no slide {slide} in this deck.", "本演示文稿中没有幻灯片 {slide}。").format(
            slide=slide_id
        ),
        remedy=RELOAD_AND_RETRY,
    )


def unknown_transition(index: int) -> UserError:
    """A transition number that is not in the plan."""
    return UserError(
        "deck.unknown_transition",
        Text(
            "There is no transition {index} in this deck.", "本演示文稿中没有第 {index} 个转场。"
        ).format(index=index),
        remedy=RELOAD_AND_RETRY,
    )


def bad_hold(seconds: float, limit: float) -> UserError:
    """A hold time outside 0..limit seconds."""
    return UserError(
        "deck.bad_hold",
        Text(
            "A slide's hold time must be between 0 and {limit:g} seconds, not {seconds:g}.",
            "幻灯片停留时间必须在 0 到 {limit:g} 秒之间，而不是 {seconds:g}。",
        ).format(seconds=seconds, limit=limit),
        remedy=Text("Enter a number of seconds in that range.", "请输入该范围内的秒数。"),
    )


def prompt_too_long(length: int, limit: int) -> UserError:
    """A prompt longer than Kling accepts."""
    return UserError(
        "deck.prompt_too_long",
        Text(
            "The prompt has {length} characters; Kling accepts at most {limit}.",
            "提示词有 {length} 个字符，可灵最多接受 {limit} 个。",
        ).format(length=length, limit=limit),
        remedy=Text("Shorten the prompt.", "请缩短提示词。"),
    )


def bad_clip(index: int, name: str) -> UserError:
    """A transition video that cannot be read while stitching."""
    return UserError(
        "deck.bad_clip",
        Text(
            "The video of transition {index} ({name}) is damaged or missing.",
            "第 {index} 个转场的视频（{name}）已损坏或缺失。",
        ).format(index=index, name=name),
        remedy=Text(
            "Generate that transition again, then stitch again.", "请重新生成该转场后再合成。"
        ),
    )


def transition_busy(index: int) -> UserError:
    """A transition that cannot be changed while its job runs."""
    return UserError(
        "deck.transition_busy",
        Text(
            "Transition {index} is being generated and cannot be changed now.",
            "第 {index} 个转场正在生成，暂时不能修改。",
        ).format(index=index),
        remedy=Text(
            "Wait until it finishes or fails, then change it.", "请等待其完成或失败后再修改。"
        ),
    )


def not_ready(indexes: list[int]) -> UserError:
    """Stitching asked for while some transitions have no clip yet."""
    listed = ", ".join(str(i) for i in indexes)
    return UserError(
        "deck.not_ready",
        Text("Transitions {listed} are not ready yet.", "第 {listed} 个转场尚未完成。").format(
            listed=listed
        ),
        remedy=Text(
            "Generate (or retry) them, then make the video.",
            "请先生成（或重试）这些转场，再合成视频。",
        ),
    )


def no_deck() -> UserError:
    """An action that needs an open deck was asked for without one (or for someone else's)."""
    return UserError(
        "deck.none_open",
        Text("No deck is open.", "还没有打开任何幻灯片。"),
        remedy=Text(
            "Upload a PowerPoint file, a PDF, several images or a ZIP first.",
            "请先上传 PowerPoint 文件、PDF、多张图片或 ZIP。",
        ),
    )


ORDER_REMEDY = Text(
    "List slide numbers separated by commas, e.g. 3, 1, 2; leave a number out to drop that slide.",
    "请用逗号分隔幻灯片编号，例如 3, 1, 2；省略某个编号即可去掉该幻灯片。",
)


def bad_order_number(token: str, count: int) -> UserError:
    """A typed slide order naming something that is not one of the deck's slide numbers."""
    return UserError(
        "deck.bad_order_text",
        Text(
            "“{token}” is not a slide number of this deck (1 to {count}).",
            "“{token}”不是本套幻灯片的编号（1 到 {count}）。",
        ).format(token=token, count=count),
        remedy=ORDER_REMEDY,
    )


def repeated_slide(number: int) -> UserError:
    """A typed slide order naming one slide twice."""
    return UserError(
        "deck.repeated_slide",
        Text("Slide {number} is listed twice.", "幻灯片 {number} 出现了两次。").format(
            number=number
        ),
        remedy=ORDER_REMEDY,
    )


def table_stale(slides: str) -> UserError:
    """A prompt edited in a table shown before the deck changed, for slides no longer
    next to each other."""
    return UserError(
        "deck.table_stale",
        Text(
            "Slides {slides} are no longer next to each other in the deck (it changed "
            "meanwhile), so the prompt edited for them was not saved.",
            "幻灯片 {slides} 在当前顺序中已不再相邻（期间已被修改），为其修改的提示词未保存。",
        ).format(slides=slides),
        remedy=Text(
            "Edit the prompt again in the table as it is now.", "请在当前表格中重新修改提示词。"
        ),
    )


def no_hold_slide() -> UserError:
    """A slide's own hold time was applied without a slide chosen."""
    return UserError(
        "deck.no_hold_slide",
        Text("Choose a slide first.", "请先选择一张幻灯片。"),
        remedy=Text(
            "Pick the slide in the menu beside the seconds, then apply.",
            "请在秒数旁的菜单中选择幻灯片，然后应用。",
        ),
    )
