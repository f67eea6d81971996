// Names for ids: the schools and educators the signed-in person may see (hr), read once per session.
// Names of educators come only with hr:pii; without it an educator is shown by stage and a short id.
import { all } from "./api";

export interface School {
  id: string;
  name: string;
}
export interface Educator {
  id: string;
  school_id: string | null;
  career_stage: string;
  given_name?: string;
  family_name?: string;
}

export interface Directory {
  schools: School[];
  educators: Educator[];
  school: (id: string | null | undefined) => string;
  educator: (id: string | null | undefined) => string;
}

let loaded: Promise<Directory> | null = null;

function build(schools: School[], educators: Educator[]): Directory {
  const s = new Map(schools.map((x) => [x.id, x]));
  const e = new Map(educators.map((x) => [x.id, x]));
  return {
    schools,
    educators,
    school: (id) => (id ? s.get(id)?.name || `school ${id.slice(0, 8)}` : "—"),
    educator: (id) => {
      if (!id) return "—";
      const x = e.get(id);
      if (x?.given_name || x?.family_name) return `${x.given_name || ""} ${x.family_name || ""}`.trim();
      if (x) return `${x.career_stage.replace(/_/g, " ")} ${id.slice(0, 8)}`;
      return `educator ${id.slice(0, 8)}`;
    },
  };
}

export function directory(): Promise<Directory> {
  if (!loaded) {
    loaded = Promise.all([
      all<School>("/hr/schools").catch(() => [] as School[]),
      all<Educator>("/hr/educators", {}, 1000).catch(() => [] as Educator[]),
    ]).then(([schools, educators]) => build(schools, educators));
    loaded.catch(() => (loaded = null));
  }
  return loaded;
}

export function forgetDirectory(): void {
  loaded = null;
}
