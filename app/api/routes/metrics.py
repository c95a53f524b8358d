from fastapi import APIRouter, Response

router = APIRouter(tags=["operations"])


@router.get("/metrics", include_in_schema=False)
def get_metrics() -> Response:
    """Prometheus metrics of every worker (METRICS=true only)."""
    from app.metrics import exposition

    body, media_type = exposition()
    return Response(body, media_type=media_type, headers={"Cache-Control": "no-store"})
