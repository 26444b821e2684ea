"""The library's GraphQL module (`library.graphql`), for the GraphQL function to compose:

    compose(LibraryGraphql.from_environment(aws).module(), ...)

Mutations `addTrackToLibrary`, `addAlbumToLibrary`; queries `library`, `track(isrc)`,
`ingestion(isrc)`, `searchTracks(query, limit)`. The organization is the caller's (from the
token); ingestions and the index are everyone's. A library's tracks resolve their
`ingestion` with one batch read per album or page, not one read per track.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ariadne import EnumType, MutationType, ObjectType, QueryType
from graphql import FieldNode, FragmentSpreadNode, GraphQLResolveInfo

from conveyor.core.aws import AwsClients
from conveyor.core.clock import Clock, system_clock
from conveyor.durable.store import TaskStore
from conveyor.graphql.errors import ArgumentError
from conveyor.graphql.schema import GraphqlModule, caller_of
from library_ingestion import wiring
from library_ingestion.index import TrackHit, TrackIndex
from library_ingestion.ingestion_queue import IngestionQueue
from library_ingestion.ingestions import Ingestion, Ingestions, IngestionStatus
from library_ingestion.inputs import AddAlbum, AddTrack
from library_ingestion.isrc import InvalidIsrc, normalize_isrc
from library_ingestion.library import LibraryStore
from library_ingestion.models import LibraryTrack, SchedulingResult
from library_ingestion.providers.embeddings import EmbeddingProvider
from library_ingestion.scheduling import IngestionScheduler
from library_ingestion.service import LibraryService
from library_ingestion.settings import GraphqlSettings

SDL = Path(__file__).with_name("library.graphql")
MAX_PAGE = 100
MAX_HITS = 50
MAX_QUERY_CHARS = 1000
# Where a request's batch-read ingestions wait for the tracks that resolve them.
_LOADED = "library_ingestion.ingestions"


class LibraryGraphql:
    def __init__(
        self,
        service: LibraryService,
        store: LibraryStore,
        ingestions: Ingestions,
        index: TrackIndex,
        embeddings: EmbeddingProvider,
    ) -> None:
        self.service = service
        self.store = store
        self.ingestions = ingestions
        self.index = index
        self.embeddings = embeddings

    @classmethod
    def from_environment(
        cls, aws: AwsClients, environ: Mapping[str, str] | None = None, clock: Clock = system_clock
    ) -> LibraryGraphql:
        settings = GraphqlSettings.from_environment(environ)
        index = wiring.track_index(settings, aws)
        catalog = wiring.catalog(settings)
        queue = IngestionQueue(aws.client("sqs"), settings.ingestion_queue_url)
        store = LibraryStore(aws.table(settings.library_table), clock)
        service = LibraryService(store, catalog, IngestionScheduler(index, queue, catalog.name, clock=clock))
        ingestions = Ingestions(TaskStore(aws.table(settings.tasks_table), clock), index)
        return cls(service, store, ingestions, index, wiring.embeddings(settings, aws))

    def search(self, query: str, limit: int) -> list[TrackHit]:
        if not query.strip() or len(query) > MAX_QUERY_CHARS:
            raise ArgumentError(f"query must be 1-{MAX_QUERY_CHARS} characters", field="query")
        _check_range(limit, 1, MAX_HITS, "limit")
        [vector] = self.embeddings.embed([query])
        return self.index.search(vector, limit)

    def module(self) -> GraphqlModule:
        query, mutation = QueryType(), MutationType()
        track_type, album_type, ingestion_type = (
            ObjectType("LibraryTrack"),
            ObjectType("LibraryAlbum"),
            ObjectType("Ingestion"),
        )

        @query.field("library")
        def library(_: Any, info: GraphQLResolveInfo, limit: int = 25, next_token: str | None = None) -> dict:
            _check_range(limit, 1, MAX_PAGE, "limit")
            organization = caller_of(info).acting_organization()
            albums, tracks, token = self.store.page(organization, limit, next_token)
            self._load_ingestions(info, (track.isrc for track in tracks if track.isrc))
            return {"albums": albums, "tracks": tracks, "next_token": token}

        @query.field("track")
        def track(_: Any, info: GraphQLResolveInfo, isrc: str) -> LibraryTrack | None:
            organization, normalized = caller_of(info).acting_organization(), _isrc_argument(isrc)
            return self.store.get_track(organization, normalized) or self.store.find_album_track(
                organization, normalized
            )

        @query.field("ingestion")
        def ingestion(_: Any, info: GraphQLResolveInfo, isrc: str) -> Ingestion:
            caller_of(info)  # any authenticated caller: the index is shared
            return self.ingestions.of(_isrc_argument(isrc))

        @query.field("searchTracks")
        def search_tracks(_: Any, info: GraphQLResolveInfo, query: str, limit: int = 10) -> list[TrackHit]:
            caller_of(info)
            return self.search(query, limit)

        @mutation.field("addTrackToLibrary")
        def add_track(_: Any, info: GraphQLResolveInfo, input: dict) -> LibraryTrack:  # noqa: A002 - the SDL's name
            return self.service.add_track(caller_of(info), AddTrack.model_validate(input))

        @mutation.field("addAlbumToLibrary")
        def add_album(_: Any, info: GraphQLResolveInfo, input: dict) -> Any:  # noqa: A002 - the SDL's name
            return self.service.add_album(caller_of(info), AddAlbum.model_validate(input))

        @album_type.field("tracks")
        def album_tracks(album: Any, info: GraphQLResolveInfo) -> list[LibraryTrack]:
            self._load_ingestions(info, (track.isrc for track in album.tracks if track.isrc))
            return album.tracks

        @track_type.field("ingestion")
        def track_ingestion(library_track: LibraryTrack, info: GraphQLResolveInfo) -> Ingestion | None:
            if library_track.isrc is None:
                return None
            loaded = info.context.get(_LOADED, {})
            if library_track.isrc not in loaded:
                loaded.update(self.ingestions.statuses([library_track.isrc]))
            return loaded.get(library_track.isrc)

        @ingestion_type.field("indexed")
        def indexed(found: Ingestion, _info: GraphQLResolveInfo) -> bool | None:
            return self.ingestions.indexed(found.isrc)

        enums = (EnumType("SchedulingResult", SchedulingResult), EnumType("IngestionStatus", IngestionStatus))
        return GraphqlModule.from_file(
            "library-ingestion", SDL, query, mutation, track_type, album_type, ingestion_type, *enums
        )

    def _load_ingestions(self, info: GraphQLResolveInfo, isrcs: Iterable[str]) -> None:
        """Read the ingestions of these tracks at once, if the operation asks for them."""
        if not _asks_for(info, "ingestion"):
            return
        loaded = info.context.setdefault(_LOADED, {})
        missing = [isrc for isrc in dict.fromkeys(isrcs) if isrc not in loaded]
        if missing:
            loaded.update(self.ingestions.statuses(missing))


def _asks_for(info: GraphQLResolveInfo, name: str) -> bool:
    """Whether the operation selects a field `name` anywhere below this one (fragments included)."""
    pending = [node.selection_set for node in info.field_nodes if node.selection_set]
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FragmentSpreadNode):
                pending.append(info.fragments[selection.name.value].selection_set)
                continue
            if isinstance(selection, FieldNode) and selection.name.value == name:
                return True
            if selection.selection_set is not None:
                pending.append(selection.selection_set)
    return False


def _isrc_argument(isrc: str) -> str:
    try:
        return normalize_isrc(isrc)
    except InvalidIsrc as invalid:
        raise ArgumentError(str(invalid), field="isrc") from None


def _check_range(value: int, low: int, high: int, field: str) -> None:
    if not low <= value <= high:
        raise ArgumentError(f"{field} must be {low}-{high}", field=field)
