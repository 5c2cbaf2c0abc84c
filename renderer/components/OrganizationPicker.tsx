import { useEffect, useRef, useState, type ChangeEvent, type FocusEvent } from 'react';
import { Autocomplete, TextField } from '@cmsgov/design-system';
import type { AutocompleteItem } from '@cmsgov/design-system';
import type { ChannelOutput } from '../../shared/ipc/contract.js';
import { call, messageOf } from '../api.js';
import { organizationLabel } from './labels.js';
import { SelectField } from './SelectField.js';
import './organization-picker.css';

export type OrganizationChoice = ChannelOutput<'organizations.search'>['organizations'][number];

/**
 * A provider or state official with up to this many organizations picks from a plain list, as
 * before: nothing to type. A CMS official always types, however few organizations there are
 * today: the same official always meets the same field.
 */
export const FEW_ORGANIZATIONS = 10;
/** Matches shown while typing; more are reached by typing more. */
const MATCHES = 20;
/** Waits for a pause in typing before asking, so that each keystroke is not a query. */
const DEBOUNCE_MS = 250;
const ALL_KEY = '';

export const PICKER_TEXT = {
  noMatch: 'No organizations match',
  searching: 'Searching organizations…',
  hint: 'Type a name or organization ID to find an organization.',
  more: (shown: number) => `The first ${shown} matches. Type more of the name or ID to narrow the list.`,
} as const;

interface OrganizationPickerProps {
  id: string;
  name: string;
  label: string;
  /** The chosen organization's display ID; empty is none (or All, with `allLabel`). */
  value: string;
  /** The chosen organization itself, when the form knows it, so that the field shows its name rather than only its ID. */
  selected?: OrganizationChoice | null | undefined;
  onChange: (organization: OrganizationChoice | null) => void;
  /** The empty choice means every organization, and is called this ("All"). */
  allLabel?: string;
  /** Without `allLabel`: the empty first choice of the plain list ("Select an organization"). */
  placeholder?: string;
  errorMessage?: string | undefined;
  required?: boolean;
  className?: string;
  /** Tells the form which organizations a short list holds (null when the official types instead). */
  onFewOrganizations?: (organizations: readonly OrganizationChoice[] | null) => void;
  /** `access`: any organization, for a role request; otherwise the official's own (every one for CMS). */
  purpose?: 'official' | 'access';
  /** Reviewing an open archive: its organizations instead of this console's. */
  archiveId?: string | undefined;
}

/** What a search asks besides the words: the same for the first list and every search after it. */
const scopeOf = ({ purpose, archiveId }: Pick<OrganizationPickerProps, 'purpose' | 'archiveId'>) => ({
  ...(purpose === 'access' ? { purpose: 'access' as const } : {}),
  ...(archiveId !== undefined ? { archiveId } : {}),
});

type Scope = { kind: 'loading' } | { kind: 'few'; organizations: OrganizationChoice[] } | { kind: 'many' } | { kind: 'failed'; message: string };

/**
 * Chooses an organization the official may act on without sending every organization to the
 * page: an official of a few organizations picks from the same plain list as before; a CMS
 * official (every organization) types a name or ID and picks from the service's matches (the design system's
 * Autocomplete: arrows, Enter and Escape work as in any combobox).
 */
export function OrganizationPicker(props: OrganizationPickerProps) {
  const { onFewOrganizations, purpose, archiveId } = props;
  const searchedIn = `${purpose ?? 'official'}:${archiveId ?? ''}`;
  /** What the first search found, and where: a list found elsewhere (before an archive was opened or closed) is not offered. */
  const [answer, setAnswer] = useState<{ scope: Scope; searchedIn: string }>({ scope: { kind: 'loading' }, searchedIn });
  const scope: Scope = answer.searchedIn === searchedIn ? answer.scope : { kind: 'loading' };
  useEffect(() => {
    const setScope = (next: Scope) => setAnswer({ scope: next, searchedIn: `${purpose ?? 'official'}:${archiveId ?? ''}` });
    let live = true;
    call('organizations.search', { query: '', limit: FEW_ORGANIZATIONS, ...scopeOf({ purpose, archiveId }) })
      .then((page) => {
        if (!live) return;
        const few = !page.all && !page.more;
        setScope(few ? { kind: 'few', organizations: page.organizations } : { kind: 'many' });
        onFewOrganizations?.(few ? page.organizations : null);
      })
      .catch((error: unknown) => live && setScope({ kind: 'failed', message: messageOf(error) }));
    return () => {
      live = false;
    };
  }, [onFewOrganizations, purpose, archiveId]);

  if (scope.kind === 'few') {
    const options = scope.organizations.map((o) => ({ value: o.displayId, label: organizationLabel(o) }));
    return (
      <SelectField
        id={props.id}
        name={props.name}
        label={props.label}
        value={props.value}
        required={props.required}
        className={props.className}
        errorMessage={props.errorMessage}
        {...(props.allLabel !== undefined
          ? { options: [{ value: ALL_KEY, label: props.allLabel }, ...options] }
          : { options, ...(props.placeholder !== undefined ? { placeholder: props.placeholder } : {}) })}
        onChange={(displayId) => props.onChange(scope.organizations.find((o) => o.displayId === displayId) ?? null)}
      />
    );
  }
  // Keyed by where it searches: an archive opened or closed starts the field afresh. Until the
  // first answer says which field it is, the search field takes no typing: it may become a list.
  return (
    <OrganizationSearchField
      key={`${purpose ?? 'official'}:${archiveId ?? ''}`}
      {...props}
      waiting={scope.kind === 'loading'}
      errorMessage={props.errorMessage ?? (scope.kind === 'failed' ? scope.message : undefined)}
    />
  );
}

function OrganizationSearchField(props: OrganizationPickerProps & { waiting: boolean }) {
  const { id, name, label, value, selected, onChange, allLabel, errorMessage, required, className } = props;
  const shown = (displayId: string) => (displayId === ALL_KEY ? (allLabel ?? '') : selected?.displayId === displayId ? organizationLabel(selected) : displayId);
  /** The label of what is chosen, as the field shows it when the official is not typing. */
  const [chosen, setChosen] = useState<{ displayId: string; text: string }>({ displayId: value, text: shown(value) });
  const [text, setText] = useState(chosen.text);
  const [items, setItems] = useState<AutocompleteItem[] | undefined>(undefined);
  const [found, setFound] = useState<OrganizationChoice[]>([]);
  const [more, setMore] = useState(false);
  const [loading, setLoading] = useState(false);
  /** The words the listed matches answer ('' lists the first organizations). */
  const [answered, setAnswered] = useState('');
  const asked = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  // A value set from outside (a form reset, a filter cleared) shows in the field: adjusted while rendering, as React advises.
  if (value !== chosen.displayId) {
    const next = { displayId: value, text: shown(value) };
    setChosen(next);
    setText(next.text);
  }
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);

  const ask = (query: string) => {
    if (timer.current) clearTimeout(timer.current);
    const ticket = ++asked.current;
    setLoading(true);
    timer.current = setTimeout(() => {
      call('organizations.search', { query, limit: MATCHES, ...scopeOf(props) })
        .then((page) => {
          // Only the answer to the latest words counts: an earlier, slower one is dropped.
          if (ticket !== asked.current) return;
          setFound(page.organizations);
          setMore(page.more);
          setAnswered(query);
          const matches = page.organizations.map((o) => ({ id: o.displayId, name: organizationLabel(o) }));
          setItems(allLabel !== undefined && query === '' ? [{ id: ALL_KEY, name: allLabel }, ...matches] : matches);
        })
        .catch((error: unknown) => {
          if (ticket !== asked.current) return;
          setItems([]);
          setMore(false);
          setFound([]);
          console.warn(messageOf(error));
        })
        .finally(() => ticket === asked.current && setLoading(false));
    }, DEBOUNCE_MS);
  };

  const choose = (item: AutocompleteItem | null) => {
    if (!item) return;
    const organization = found.find((o) => o.displayId === item.id) ?? null;
    const next = { displayId: organization?.displayId ?? ALL_KEY, text: organization ? organizationLabel(organization) : (allLabel ?? '') };
    setChosen(next);
    setText(next.text);
    onChange(organization);
  };

  const typed = (next: string) => {
    setText(next);
    // Choosing a match puts its label in the field: that is not a new search.
    if (found.some((o) => organizationLabel(o) === next)) return;
    ask(next.trim() === (allLabel ?? '\u0000') ? '' : next.trim());
  };

  const focused = (event: FocusEvent<HTMLInputElement>) => {
    // Typing replaces what is shown; the list opens with the first organizations.
    event.target.select();
    if (items === undefined) ask(text === chosen.text ? '' : text.trim());
  };

  const left = () => {
    // Words typed but not chosen are not a choice: an emptied filter is All, anything else shows the choice again.
    if (text === chosen.text) return;
    if (text.trim() === '' && allLabel !== undefined) {
      setChosen({ displayId: ALL_KEY, text: allLabel });
      setText(allLabel);
      onChange(null);
      return;
    }
    setText(chosen.text);
  };

  // Said over the list rather than as a hint above the field, so that the field lines up with its neighbours.
  const heading = answered === '' ? PICKER_TEXT.hint : more ? PICKER_TEXT.more(found.length) : undefined;
  return (
    <Autocomplete
      id={id}
      className={['soc-organization-picker', className].filter(Boolean).join(' ')}
      items={items}
      loading={loading}
      loadingMessage={PICKER_TEXT.searching}
      noResultsMessage={PICKER_TEXT.noMatch}
      clearSearchButton={false}
      label={heading}
      onChange={choose}
      onInputValueChange={typed}
    >
      <TextField
        name={name}
        label={label}
        value={text}
        spellCheck={false}
        errorMessage={errorMessage}
        aria-required={required || undefined}
        disabled={props.waiting}
        onFocus={focused}
        onBlur={left}
        onChange={(event: ChangeEvent<HTMLInputElement>) => setText(event.target.value)}
      />
    </Autocomplete>
  );
}
