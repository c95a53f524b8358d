"""The kinds of problem the API answers with: each has a stable `type` URI, `/problems/{slug}`,
whose page describes it in Vietnamese and English."""

from dataclasses import dataclass

PROBLEM_PATH = "/problems/"


@dataclass(frozen=True)
class ProblemType:
    slug: str
    status: int
    title: tuple[str, str]  # Vietnamese, English
    about: tuple[str, str]  # what it means and what to do, Vietnamese, English


_TYPES = [
    ProblemType(
        "invalid-body",
        400,
        ("Nội dung không hợp lệ", "Invalid body"),
        (
            "Nội dung gửi lên không phải JSON hoặc TOML hợp lệ; `detail` nêu vị trí lỗi.",
            "The request body is not valid JSON or TOML; `detail` says where.",
        ),
    ),
    ProblemType(
        "unknown-parameter",
        400,
        ("Tham số không được hỗ trợ", "Unknown parameter"),
        (
            "Yêu cầu có một tham số truy vấn mà thao tác này không nhận. Kiểm tra chính tả: "
            "`detail` nêu tham số gần đúng nhất (ví dụ `limt` → `limit`).",
            "The request has a query parameter this operation does not take. Check its "
            "spelling: `detail` names the closest known one (`limt` → `limit`).",
        ),
    ),
    ProblemType(
        "unauthorized",
        401,
        ("Chưa xác thực", "Unauthorized"),
        (
            "Thao tác ghi cần mã `Authorization: Bearer` hợp lệ do người vận hành cấp.",
            "Writes need a valid `Authorization: Bearer` token issued by the operator.",
        ),
    ),
    ProblemType(
        "forbidden",
        403,
        ("Không có quyền", "Forbidden"),
        (
            "Mã truy cập hợp lệ nhưng phạm vi của nó không cho phép thao tác này.",
            "The token is valid but its scope does not allow this operation.",
        ),
    ),
    ProblemType(
        "invalid-host",
        400,
        ("Tên máy chủ không được chấp nhận", "Host not allowed"),
        (
            "Tiêu đề `Host` (hoặc `X-Forwarded-Host` từ một proxy tin cậy) sai cú pháp hoặc "
            "không thuộc danh sách `ALLOWED_HOSTS` của máy chủ này.",
            "The `Host` header (or `X-Forwarded-Host` from a trusted proxy) is malformed or "
            "not in this server's `ALLOWED_HOSTS`.",
        ),
    ),
    ProblemType(
        "not-found",
        404,
        ("Không tìm thấy", "Not Found"),
        (
            "Không có tài nguyên nào tại địa chỉ này. Danh sách các bộ sưu tập ở `/api/v1`.",
            "There is no resource at this address. `/api/v1` lists the collections.",
        ),
    ),
    ProblemType(
        "method-not-allowed",
        405,
        ("Phương thức không được hỗ trợ", "Method Not Allowed"),
        (
            "Địa chỉ này không nhận phương thức HTTP đã gửi; tiêu đề `Allow` liệt kê các "
            "phương thức được nhận.",
            "This address does not take the HTTP method sent; the `Allow` header lists those "
            "it does.",
        ),
    ),
    ProblemType(
        "not-acceptable",
        406,
        ("Không thể đáp ứng định dạng yêu cầu", "Not Acceptable"),
        (
            "Không có định dạng nào khớp với tiêu đề `Accept` đã gửi.",
            "No representation matches the `Accept` header sent.",
        ),
    ),
    ProblemType(
        "conflict",
        409,
        ("Xung đột", "Conflict"),
        (
            "Thay đổi mâu thuẫn với dữ liệu: mã định danh đã tồn tại, hoặc bản ghi khác còn "
            "tham chiếu tới bản ghi này.",
            "The change conflicts with the data: the id exists, or other records refer to "
            "this one.",
        ),
    ),
    ProblemType(
        "gone",
        410,
        ("Đã bị gỡ bỏ", "Gone"),
        (
            "Bản ghi đã bị gỡ bỏ; lịch sử của nó vẫn đọc được tại `/history`.",
            "The record was retired; its history is still readable under `/history`.",
        ),
    ),
    ProblemType(
        "precondition-failed",
        412,
        ("Phiên bản đã thay đổi", "Precondition Failed"),
        (
            "Bản ghi đã thay đổi sau phiên bản ghi trong `If-Match`. Đọc lại bản ghi "
            "(`current_etag` là phiên bản mới) rồi áp dụng lại thay đổi.",
            "The record changed since the version in `If-Match`. Read it again "
            "(`current_etag` is the new version) and re-apply the change.",
        ),
    ),
    ProblemType(
        "content-too-large",
        413,
        ("Nội dung quá lớn", "Content Too Large"),
        (
            "Nội dung gửi lên lớn hơn giới hạn `MAX_BODY_BYTES` của máy chủ.",
            "The body is larger than the server's `MAX_BODY_BYTES`.",
        ),
    ),
    ProblemType(
        "unsupported-media-type",
        415,
        ("Định dạng nội dung không được hỗ trợ", "Unsupported Media Type"),
        (
            "Tiêu đề `Content-Type` của nội dung không phải định dạng mà thao tác này nhận.",
            "The body's `Content-Type` is not one this operation takes.",
        ),
    ),
    ProblemType(
        "range-not-satisfiable",
        416,
        ("Khoảng dữ liệu không hợp lệ", "Range Not Satisfiable"),
        (
            "Khoảng byte yêu cầu nằm ngoài tệp; `Content-Range` cho biết kích thước tệp.",
            "The byte range asked for lies outside the file; `Content-Range` gives its size.",
        ),
    ),
    ProblemType(
        "invalid-parameters",
        422,
        ("Tham số không hợp lệ", "Invalid parameters"),
        (
            "Một tham số hoặc trường không hợp lệ; mỗi mục của `errors` chỉ tới một chỗ sai "
            "bằng `pointer`.",
            "A parameter or field is invalid; each entry of `errors` points at one with `pointer`.",
        ),
    ),
    ProblemType(
        "precondition-required",
        428,
        ("Thiếu điều kiện If-Match", "Precondition Required"),
        (
            "Thao tác ghi cần `If-Match` với ETag của phiên bản đã đọc, để không ghi đè thay "
            "đổi của người khác.",
            "Writes need `If-Match` with the ETag of the version read, so that nobody's "
            "change is overwritten.",
        ),
    ),
    ProblemType(
        "uri-too-long",
        414,
        ("Chuỗi truy vấn quá dài", "URI Too Long"),
        (
            "Chuỗi truy vấn dài hơn giới hạn của máy chủ (`MAX_QUERY_BYTES`). Bỏ bớt tham số.",
            "The query string is longer than this server's limit (`MAX_QUERY_BYTES`). Send "
            "fewer parameters.",
        ),
    ),
    ProblemType(
        "headers-too-large",
        431,
        ("Tiêu đề yêu cầu quá lớn", "Request Header Fields Too Large"),
        (
            "Tổng kích thước các tiêu đề yêu cầu vượt giới hạn của máy chủ (`MAX_HEADER_BYTES`).",
            "The request's headers together exceed this server's limit (`MAX_HEADER_BYTES`).",
        ),
    ),
    ProblemType(
        "too-many-requests",
        429,
        ("Quá nhiều yêu cầu", "Too Many Requests"),
        (
            "Đã dùng hết hạn mức yêu cầu của bạn trong khoảng thời gian này. Chờ số giây "
            "trong `Retry-After`; tiêu đề `RateLimit` cho biết hạn mức còn lại.",
            "Your request budget for this window is spent. Wait the seconds in "
            "`Retry-After`; the `RateLimit` header tells the remaining budget.",
        ),
    ),
    ProblemType(
        "internal-error",
        500,
        ("Lỗi máy chủ", "Internal Server Error"),
        (
            "Lỗi không lường trước, đã được ghi nhật ký. Khi báo lỗi, gửi kèm `request_id`.",
            "An unexpected error, logged. Quote `request_id` when reporting it.",
        ),
    ),
    ProblemType(
        "database-unavailable",
        503,
        ("Cơ sở dữ liệu không sẵn sàng", "Database Unavailable"),
        (
            "Cơ sở dữ liệu vắng mặt, không kết nối được, quá tải, chỉ đọc, hỏng hoặc chưa "
            "được tạo; `detail` nêu nguyên nhân. Thử lại sau số giây trong `Retry-After`.",
            "The database is absent, unreachable, stalled, read-only, corrupt or not migrated; "
            "`detail` names the cause. Retry after the seconds in `Retry-After`.",
        ),
    ),
    ProblemType(
        "not-ready",
        503,
        ("Dịch vụ chưa sẵn sàng", "Service Unavailable"),
        (
            "Máy chủ chưa sẵn sàng phục vụ (cơ sở dữ liệu chưa được tạo hoặc chưa có dữ liệu). "
            "Thử lại sau.",
            "The server is not ready to serve (the database is not migrated or not seeded). "
            "Try again later.",
        ),
    ),
]

PROBLEM_TYPES: dict[str, ProblemType] = {t.slug: t for t in _TYPES}
# The type of a problem raised with a status alone (the framework's 404s and 405s).
BY_STATUS: dict[int, ProblemType] = {}
for _type in _TYPES:
    BY_STATUS.setdefault(_type.status, _type)
